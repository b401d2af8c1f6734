/** What a verified RFC 7522 assertion says, read only from the signed content. */
export interface VerifiedAssertion {
  /** The whole text of `Subject/NameID`, every text node of it (a comment inside cannot cut it). */
  readonly subject: string;
  /** The `entity_id` of the registered issuer whose certificate verified the signature. */
  readonly issuer: string;
  /** The assertion `ID`, now used up. */
  readonly assertionId: string;
  /** When the assertion stops being acceptable (the earliest applicable NotOnOrAfter). */
  readonly notOnOrAfter: Date;
  /** `AttributeStatement/Attribute` values by `Name`, in document order. */
  readonly attributes: Readonly<Record<string, readonly string[]>>;
  /** `AuthnStatement/@AuthnInstant`, when the assertion has one. */
  readonly authnInstant?: Date;
}
