// The "plain SDK script" peer of the benchmark: what a developer would write with
// @azure/storage-blob alone. uploadFile/downloadToFile with concurrency 8 for big files, and a
// promise pool of 32 for many small files.
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { BlobServiceClient } from "@azure/storage-blob";

const [mode, containerSasUrl, local] = process.argv.slice(2);
const [base, sas] = containerSasUrl.split("?");
const container = new BlobServiceClient(`${base.slice(0, base.lastIndexOf("/"))}?${sas}`).getContainerClient(
  base.slice(base.lastIndexOf("/") + 1),
);

async function pool(items, limit, work) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

switch (mode) {
  case "up-file":
    await container
      .getBlockBlobClient(local.slice(local.lastIndexOf("/") + 1))
      .uploadFile(local, { concurrency: 8 });
    break;
  case "down-file":
    await container.getBlobClient("big.bin").downloadToFile(local, 0, undefined, { concurrency: 8 });
    break;
  case "up-dir": {
    const names = await readdir(local);
    await pool(names, 32, (name) =>
      container.getBlockBlobClient(`small/${name}`).uploadFile(join(local, name)),
    );
    break;
  }
  case "down-dir": {
    const names = [];
    for await (const blob of container.listBlobsFlat({ prefix: "small/" })) names.push(blob.name);
    await pool(names, 32, (name) => container.getBlobClient(name).downloadToFile(join(local, name.slice(6))));
    break;
  }
  default:
    throw new Error(`unknown mode ${mode}`);
}
