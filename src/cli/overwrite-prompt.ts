// --overwrite prompt: ask on the terminal, remembering "all" and "none" answers.
import { createInterface } from "node:readline/promises";

export function askOverwrite(): (destination: string) => Promise<boolean> {
  let always: boolean | undefined;
  let queue = Promise.resolve(false);
  return (destination) => {
    queue = queue.then(async () => {
      if (always !== undefined) return always;
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        for (;;) {
          const answer = (
            await rl.question(`${destination} already exists. Overwrite it? [y]es, [n]o, [a]ll, none [l]: `)
          )
            .trim()
            .toLowerCase();
          if (answer === "y" || answer === "yes") return true;
          if (answer === "n" || answer === "no") return false;
          if (answer === "a" || answer === "all" || answer === "l" || answer === "none") {
            always = answer.startsWith("a");
            return always;
          }
        }
      } finally {
        rl.close();
      }
    });
    return queue;
  };
}
