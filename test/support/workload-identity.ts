// A pod's workload identity, as Azure Workload Identity gives it: an app registration in the
// Entra ID emulator federated with a Kubernetes service account, and that account's token in a
// file, named by the variables the webhook sets.
import { createPrivateKey } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { SignJWT } from "jose";
import { createClientCertificate } from "./certs.js";
import { emulator, testHome, uniqueTenant } from "./harness.js";

export interface WorkloadIdentity {
  clientId: string;
  tenant: string;
  /** AZCOPY_AUTO_LOGIN_TYPE=WORKLOAD and the AZURE_* variables a pod gets. */
  env: Record<string, string>;
}

export async function workloadIdentity(issuer: string, subject: string): Promise<WorkloadIdentity> {
  const app = await emulator.registerApp({ federated: [{ issuer, subject }] });
  const tenant = uniqueTenant();
  const signer = createClientCertificate();
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: "RS256", kid: "k8s" })
    .setIssuer(issuer)
    .setSubject(subject)
    .setAudience("api://AzureADTokenExchange")
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(createPrivateKey(signer.keyPem));
  const tokenFile = join(await testHome(), "federated-token");
  await writeFile(tokenFile, token);
  return {
    clientId: app.clientId,
    tenant,
    env: {
      AZCOPY_AUTO_LOGIN_TYPE: "WORKLOAD",
      AZURE_CLIENT_ID: app.clientId,
      AZURE_TENANT_ID: tenant,
      AZURE_FEDERATED_TOKEN_FILE: tokenFile,
    },
  };
}
