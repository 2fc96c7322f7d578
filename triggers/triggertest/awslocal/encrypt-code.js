// Encrypts codes as Cognito does for its custom sender triggers: the AWS
// Encryption SDK, a KMS keyring over one key, message format 1 (the commitment
// policy that forbids committing suites on encrypt), the signed suite
// AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384 and the encryption context
// {"userpool-id": <pool>}. It reads {"endpoint","region","requests":[{"keyArn",
// "userPoolId","code"}]} on stdin and writes a JSON array of base64 ciphertexts.
'use strict'
const {
  KmsKeyringNode, buildClient, CommitmentPolicy, AlgorithmSuiteIdentifier, getClient,
} = require('@aws-crypto/client-node')
const { KMS } = require('@aws-sdk/client-kms')

async function main () {
  let input = ''
  for await (const chunk of process.stdin) input += chunk
  const { endpoint, region, requests } = JSON.parse(input)
  const { encrypt } = buildClient(CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT)
  const clientProvider = getClient(KMS, {
    endpoint,
    region,
    credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY },
  })
  const out = []
  for (const r of requests) {
    const keyring = new KmsKeyringNode({ generatorKeyId: r.keyArn, clientProvider })
    const { result } = await encrypt(keyring, Buffer.from(r.code, 'utf8'), {
      encryptionContext: { 'userpool-id': r.userPoolId },
      suiteId: AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384,
    })
    out.push(result.toString('base64'))
  }
  process.stdout.write(JSON.stringify(out))
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack || err) + '\n')
  process.exit(1)
})
