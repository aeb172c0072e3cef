// --overwrite prompt: ask on the terminal, remembering "all" and "none" answers.
import { createInterface } from "node:readline/promises";

export function askOverwrite(): (destination: string) => Promise<boolean> {
  return askYesNo("Overwrite", "already exists. ");
}

/** Ask "<verb> <target>?" for each target, with all/none answers remembered. */
export function askYesNo(verb: string, context = ""): (target: string) => Promise<boolean> {
  let always: boolean | undefined;
  let queue = Promise.resolve(false);
  return (target) => {
    queue = queue.then(async () => {
      if (always !== undefined) return always;
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        for (;;) {
          const answer = (await rl.question(`${target} ${context}${verb} it? [y]es, [n]o, [a]ll, none [l]: `))
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
