package har

import "encoding/binary"

// Scanning a HAR's text eight bytes at a time: most of an entry is string contents and
// indentation, which the decoder and the capture cross in words rather than bytes.

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// hasZeroByte is non-zero when some byte of x is 0.
func hasZeroByte(x uint64) uint64 { return (x - ones) & ^x & highs }

// hasByte is non-zero when some byte of x is c.
func hasByte(x uint64, c byte) uint64 { return hasZeroByte(x ^ (ones * uint64(c))) }

// plainText is where the plain part of a string's contents ends in b from i on: the index of
// the first '"', '\\', control character or non-ASCII byte (len(b) if none).
func plainText(b []byte, i int) int {
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		// x&highs: a byte >= 0x80; (x-0x20...)&^x&highs: a byte < 0x20.
		if x&highs|(x-ones*0x20)&^x&highs|hasByte(x, '"')|hasByte(x, '\\') != 0 {
			for j := i; j < i+8; j++ {
				if !plain(b[j]) {
					return j
				}
			}
		}
	}
	for ; i < len(b); i++ {
		if !plain(b[i]) {
			return i
		}
	}
	return i
}

// plain reports whether c stands for itself in a JSON string and is ASCII.
func plain(c byte) bool { return plainByte[c] }

// nextOpen is the index in b, from i on, of the first byte capture stops at outside strings:
// a quote or a bracket (len(b) if none).
func nextOpen(b []byte, i int) int {
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		// '{' 0x7b and '}' 0x7d, '[' 0x5b and ']' 0x5d differ in bits 1 and 2 only: with them
		// cleared, look for 0x79 and 0x59 (which 'y', 'Y', '_' and DEL also give).
		y := x &^ (ones * 0x06)
		if hasByte(x, '"')|hasByte(y, 0x79)|hasByte(y, 0x59) != 0 {
			for j := i; j < i+8; j++ {
				if opens[b[j]] {
					return j
				}
			}
		}
	}
	for ; i < len(b); i++ {
		if opens[b[i]] {
			return i
		}
	}
	return i
}

// stringRun is where a run of a string's contents that needs no attention ends in b from i on:
// the index of the first '"', '\\' or control character (len(b) if none). Other bytes, UTF-8
// included, are taken as they are.
func stringRun(b []byte, i int) int {
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		// (x-0x20...)&^x&highs finds a byte < 0x20 exactly among bytes < 0x80; a byte >= 0x80
		// may set it too, which the byte loop then tells apart.
		if (x-ones*0x20)&^x&highs|hasByte(x, '"')|hasByte(x, '\\') != 0 {
			for j := i; j < i+8; j++ {
				if c := b[j]; c == '"' || c == '\\' || c < 0x20 {
					return j
				}
			}
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c == '"' || c == '\\' || c < 0x20 {
			return i
		}
	}
	return i
}
