/** XML namespaces and URIs of SAML 2.0 Core and XML Signature, spelled once. */
export const SamlNs = {
  Assertion: 'urn:oasis:names:tc:SAML:2.0:assertion',
  XmlDsig: 'http://www.w3.org/2000/09/xmldsig#',
} as const;

/** SAML 2.0 Core §3.2.2.2 / §8.3.6: the values this verifier compares against. */
export const SamlUri = {
  BearerConfirmation: 'urn:oasis:names:tc:SAML:2.0:cm:bearer',
  EntityNameFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:entity',
} as const;

/** XML Signature algorithm URIs (RFC 6931 for the SHA-2 family). */
export const DsigAlgorithm = {
  RsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  RsaSha384: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384',
  RsaSha512: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
  Sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
  Sha384: 'http://www.w3.org/2001/04/xmldsig-more#sha384',
  Sha512: 'http://www.w3.org/2001/04/xmlenc#sha512',
  ExcC14n: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  ExcC14nWithComments: 'http://www.w3.org/2001/10/xml-exc-c14n#WithComments',
  EnvelopedSignature: 'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
} as const;
