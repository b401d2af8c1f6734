/**
 * Active Directory's objectGUID (16 octets) in its canonical string form, as AD tools show it:
 * the first three fields are little-endian (MS-DTYP §2.3.4.2 GUID packet representation), the
 * last two as stored.
 */
export function formatObjectGuid(bytes: Buffer): string {
  if (bytes.length !== 16) throw new RangeError('an objectGUID has 16 octets');
  const hex = (indexes: number[]) =>
    indexes.map((i) => bytes[i].toString(16).padStart(2, '0')).join('');
  return [
    hex([3, 2, 1, 0]),
    hex([5, 4]),
    hex([7, 6]),
    hex([8, 9]),
    hex([10, 11, 12, 13, 14, 15]),
  ].join('-');
}
