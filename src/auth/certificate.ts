// Read a service principal's certificate: PEM (optionally with an encrypted key) as is, and
// PKCS#12/PFX converted to PEM, because @azure/identity only takes PEM.
import { readFile } from "node:fs/promises";
import { AzcpError, badInput } from "../errors.js";

export interface PemCertificate {
  /** Private key and certificate chain, PEM. */
  pem: string;
  /** Password for an encrypted PEM key; undefined after PFX conversion (the key is then plain). */
  password: string | undefined;
}

export async function loadCertificate(path: string, password: string | undefined): Promise<PemCertificate> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw badInput(
      `Cannot read the certificate file ${path} (${(error as NodeJS.ErrnoException).code ?? "error"}).`,
      "Set AZCOPY_SPA_CERT_PATH (or --certificate-path) to a readable PEM or PFX file with the private key.",
    );
  }
  const text = bytes.toString("latin1");
  if (text.includes("-----BEGIN")) {
    if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
      throw badInput(
        `The certificate file ${path} has no private key.`,
        "Use a PEM file that holds both the private key and the certificate, or a PFX file.",
      );
    }
    if (/ENCRYPTED/.test(text) && !password) {
      throw badInput(
        `The private key in ${path} is encrypted and no password was given.`,
        "Set AZCOPY_SPA_CERT_PASSWORD to the certificate's password.",
      );
    }
    return { pem: bytes.toString("utf8"), password: /ENCRYPTED/.test(text) ? password : undefined };
  }
  return { pem: await pfxToPem(bytes, password, path), password: undefined };
}

async function pfxToPem(bytes: Buffer, password: string | undefined, path: string): Promise<string> {
  const { default: forge } = await import("node-forge");
  let p12: ReturnType<typeof forge.pkcs12.pkcs12FromAsn1> | undefined;
  let failure: unknown;
  // "No password" is written as an empty password by most tools, and as none at all by some.
  for (const attempt of password === undefined ? ["", null] : [password]) {
    try {
      const asn1 = forge.asn1.fromDer(forge.util.createBuffer(bytes.toString("binary")));
      p12 = forge.pkcs12.pkcs12FromAsn1(asn1, false, attempt as string);
      break;
    } catch (error) {
      failure = error;
    }
  }
  if (!p12) {
    const message = failure instanceof Error ? failure.message : String(failure);
    if (/password|MAC|decrypt/i.test(message)) {
      throw new AzcpError("authentication", `The password for the certificate file ${path} is wrong.`, {
        remedy: password
          ? "Set AZCOPY_SPA_CERT_PASSWORD to the password the PFX file was exported with."
          : "The PFX file is protected: set AZCOPY_SPA_CERT_PASSWORD to its password.",
      });
    }
    throw badInput(
      `The certificate file ${path} is neither PEM nor a readable PKCS#12/PFX file.`,
      "Export the certificate with its private key as PEM or PFX.",
    );
  }
  const keyBags = [
    ...(p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag! })[forge.pki.oids.pkcs8ShroudedKeyBag!] ??
      []),
    ...(p12.getBags({ bagType: forge.pki.oids.keyBag! })[forge.pki.oids.keyBag!] ?? []),
  ];
  const certBags = p12.getBags({ bagType: forge.pki.oids.certBag! })[forge.pki.oids.certBag!] ?? [];
  const key = keyBags.find((bag) => bag.key)?.key;
  if (!key) {
    throw badInput(
      `The PFX file ${path} holds no private key.`,
      "Export the certificate together with its private key.",
    );
  }
  const certificates = certBags.flatMap((bag) => (bag.cert ? [forge.pki.certificateToPem(bag.cert)] : []));
  if (certificates.length === 0) {
    throw badInput(
      `The PFX file ${path} holds no certificate.`,
      "Export the certificate together with its private key.",
    );
  }
  return forge.pki.privateKeyToPem(key) + certificates.join("");
}
