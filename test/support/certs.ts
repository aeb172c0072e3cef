// Certificates for the local stack, made at run time and never committed: a CA, a server
// certificate for 127.0.0.1 and localhost, and client certificates for service principals.
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, X509Certificate } from "node:crypto";
import forge from "node-forge";

export interface KeyAndCertificate {
  /** PKCS#8 private key, PEM, unencrypted. */
  keyPem: string;
  certPem: string;
}

function newRsaKeyPair(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey } {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pem = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
  return { privateKey: forgeKey, publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e) };
}

function toPkcs8Pem(key: forge.pki.rsa.PrivateKey): string {
  return createPrivateKey(forge.pki.privateKeyToPem(key)).export({ type: "pkcs8", format: "pem" }).toString();
}

function baseCertificate(publicKey: forge.pki.rsa.PublicKey, commonName: string, days: number) {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = `01${randomBytes(8).toString("hex")}`;
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(now + days * 24 * 60 * 60 * 1000);
  cert.setSubject([{ name: "commonName", value: commonName }]);
  return cert;
}

export interface CertificateAuthority extends KeyAndCertificate {
  issueServerCertificate(hosts: string[]): KeyAndCertificate;
}

export function createCertificateAuthority(commonName = "azcp test CA"): CertificateAuthority {
  const keys = newRsaKeyPair();
  const caCert = baseCertificate(keys.publicKey, commonName, 7);
  caCert.setIssuer(caCert.subject.attributes);
  caCert.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  caCert.sign(keys.privateKey, forge.md.sha256.create());

  return {
    keyPem: toPkcs8Pem(keys.privateKey),
    certPem: forge.pki.certificateToPem(caCert),
    issueServerCertificate(hosts: string[]): KeyAndCertificate {
      const serverKeys = newRsaKeyPair();
      const cert = baseCertificate(serverKeys.publicKey, hosts[0] ?? "localhost", 7);
      cert.setIssuer(caCert.subject.attributes);
      const altNames = hosts.map((host) =>
        /^\d+\.\d+\.\d+\.\d+$/.test(host) ? { type: 7, ip: host } : { type: 2, value: host },
      );
      cert.setExtensions([
        { name: "basicConstraints", cA: false },
        { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
        { name: "extKeyUsage", serverAuth: true },
        { name: "subjectAltName", altNames },
      ]);
      cert.sign(keys.privateKey, forge.md.sha256.create());
      return { keyPem: toPkcs8Pem(serverKeys.privateKey), certPem: forge.pki.certificateToPem(cert) };
    },
  };
}

/** A self-signed certificate such as one uploaded to an app registration. */
export function createClientCertificate(commonName = "azcp test service principal"): KeyAndCertificate {
  const keys = newRsaKeyPair();
  const cert = baseCertificate(keys.publicKey, commonName, 7);
  cert.setIssuer(cert.subject.attributes);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { keyPem: toPkcs8Pem(keys.privateKey), certPem: forge.pki.certificateToPem(cert) };
}

/** The private key as encrypted PKCS#8 PEM (AES-256-CBC), followed by the certificate. */
export function encryptedPem(material: KeyAndCertificate, password: string): string {
  const encryptedKey = createPrivateKey(material.keyPem)
    .export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: password })
    .toString();
  return encryptedKey + material.certPem;
}

/** A PKCS#12 (PFX) file; without a password the bags are not encrypted. */
export function toPfx(material: KeyAndCertificate, password: string | null): Buffer {
  const key = forge.pki.privateKeyFromPem(material.keyPem);
  const cert = forge.pki.certificateFromPem(material.certPem);
  const asn1 = forge.pkcs12.toPkcs12Asn1(key, [cert], password, {
    algorithm: "aes256",
    generateLocalKeyId: true,
  });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), "binary");
}

/** Base64url SHA-256 (x5t#S256) and SHA-1 (x5t) thumbprints of a certificate. */
export function thumbprints(certPem: string): { sha256: string; sha1: string } {
  const der = new X509Certificate(certPem).raw;
  return {
    sha256: createHash("sha256").update(der).digest("base64url"),
    sha1: createHash("sha1").update(der).digest("base64url"),
  };
}
