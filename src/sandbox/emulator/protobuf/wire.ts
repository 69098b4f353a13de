// Protocol buffer wire format: just enough to read messages field by field.

export interface Tag {
  readonly field: number;
  readonly wire: number;
}

export class WireReader {
  private pos: number;

  constructor(private readonly buf: Uint8Array, start = 0, private readonly end = buf.length) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** A varint as a signed 64-bit number (two's complement above 2^63). */
  varint(): number {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.end) throw new RangeError('truncated varint');
      const byte = this.buf[this.pos] ?? 0;
      this.pos += 1;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) break;
      shift += 7n;
      if (shift > 70n) throw new RangeError('varint too long');
    }
    return Number(BigInt.asIntN(64, result));
  }

  tag(): Tag {
    const key = this.varint();
    return { field: Math.floor(key / 8), wire: key & 7 };
  }

  bytes(): Uint8Array {
    const length = this.varint();
    if (length < 0 || this.pos + length > this.end) throw new RangeError('truncated field');
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  skip(wire: number): void {
    const sizes: Readonly<Record<number, number>> = { 1: 8, 5: 4 };
    if (wire === 0) this.varint();
    else if (wire === 2) this.bytes();
    else if (sizes[wire] !== undefined) this.pos += sizes[wire];
    else throw new RangeError(`unsupported wire type ${wire}`);
  }
}
