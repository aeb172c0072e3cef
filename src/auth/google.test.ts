import { generateKeyPairSync } from "node:crypto";
import { Storage } from "@google-cloud/storage";
import { afterEach, describe, expect, it, vi } from "vitest";
import { signGoogleUrl } from "./google.js";

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const account = {
  clientEmail: "copier@project.iam.gserviceaccount.com",
  privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  tokenUri: "https://oauth2.googleapis.com/token",
};

afterEach(() => {
  vi.useRealTimers();
});

describe("V4 signed URLs for Cloud Storage", () => {
  for (const name of ["plain.txt", "dir/naïve name (1).txt", "a+b=c&d/*'!.bin"])
    it(`are the URLs Google's own client makes: ${name}`, async () => {
      const now = new Date("2026-11-30T12:34:56Z");
      vi.useFakeTimers({ now });
      const official = new Storage({
        projectId: "project",
        credentials: { client_email: account.clientEmail, private_key: account.privateKey },
      });
      const [expected] = await official
        .bucket("my-bucket")
        .file(name)
        .getSignedUrl({ version: "v4", action: "read", expires: now.getTime() + 7 * 24 * 3600_000 });
      const path = `/my-bucket/${name.split("/").map(encodeURIComponent).join("/")}`;
      const ours = signGoogleUrl(
        account,
        new URL(`https://storage.googleapis.com${path}`),
        7 * 24 * 3600,
        now,
      );
      expect(ours).toBe(expected);
    });
});
