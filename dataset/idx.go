package dataset

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
)

// MaxElements is the largest total number of elements (the product of all
// dimensions) that ReadIDX accepts and WriteIDX produces: 2^28, so that
// decoding one IDX file never holds more than 256 MiB of data, however small
// a gzip file declares it. The full Fashion-MNIST training images hold
// 47,040,000 elements (60000 x 28 x 28), a sixth of the limit.
const MaxElements = 1 << 28

// typeUint8 is the IDX element type code for unsigned bytes, the only element
// type this package supports.
const typeUint8 = 0x08

// readChunk is the initial buffer size used while reading IDX data. The
// buffer doubles as data actually arrives, so a header that declares a huge
// size in a tiny file never causes a large allocation.
const readChunk = 64 << 10

// Errors returned (wrapped) by ReadIDX, OpenIDX and WriteIDX. Test for them
// with errors.Is.
var (
	// ErrBadMagic reports that the first two bytes of the header are not zero.
	ErrBadMagic = errors.New("bad magic")
	// ErrUnsupportedType reports an element type code other than 0x08
	// (unsigned byte).
	ErrUnsupportedType = errors.New("unsupported element type")
	// ErrBadDims reports a header with no dimensions or a zero dimension,
	// dimensions passed to WriteIDX that do not describe the data, or
	// (Load, Open, Sample) an images file that does not hold N x 28 x 28
	// images or a labels file that is not one-dimensional.
	ErrBadDims = errors.New("bad dimensions")
	// ErrTooLarge reports that the product of the dimensions exceeds
	// MaxElements.
	ErrTooLarge = errors.New("too large")
	// ErrTruncated reports that the input ended before the header or the
	// declared data was complete.
	ErrTruncated = errors.New("truncated")
	// ErrTrailingData reports bytes after the end of the declared data.
	ErrTrailingData = errors.New("trailing data")
	// ErrCountMismatch reports an images file and a labels file that hold
	// different numbers of items (Load, Open, Sample).
	ErrCountMismatch = errors.New("count mismatch")
	// ErrBadLabel reports a label that is not below NumClasses (Load,
	// Open, Sample).
	ErrBadLabel = errors.New("label out of range")
)

// IDX is a decoded IDX file of unsigned bytes: a dense array with shape Dims
// stored in row-major (C) order in Data, so len(Data) is the product of Dims.
type IDX struct {
	// Dims holds the size of each dimension, outermost first. Every
	// dimension is at least 1.
	Dims []int
	// Data holds the elements in row-major order.
	Data []uint8
}

// typeNames names the element type codes defined by the IDX format.
var typeNames = map[byte]string{
	0x08: "unsigned byte",
	0x09: "signed byte",
	0x0B: "int16",
	0x0C: "int32",
	0x0D: "float32",
	0x0E: "float64",
}

// ReadIDX decodes an IDX file (the format of the MNIST and Fashion-MNIST
// distribution files) from r. The input may be plain or gzip-compressed; gzip
// is detected by its magic bytes 0x1f 0x8b, not by any name. Only element
// type 0x08 (unsigned byte) is supported.
//
// ReadIDX consumes r to EOF: bytes after the declared data (after
// decompression, for gzip input) are an error wrapping ErrTrailingData, and
// for gzip input the stream's checksum is verified. Errors wrap one of the
// package's Err* values, an error from the gzip decoder, or the error from r.
//
// The header is checked before any data is allocated: the number of elements
// must be between 1 and MaxElements, and the data buffer grows only as bytes
// actually arrive, so a short file declaring a huge size fails with
// ErrTruncated without allocating memory for the declared size.
func ReadIDX(r io.Reader) (*IDX, error) {
	m, err := readIDX(r)
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	return m, nil
}

// OpenIDX reads the IDX file at path with ReadIDX. Errors include the path.
func OpenIDX(path string) (*IDX, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	defer f.Close()
	m, err := readIDX(f)
	if err != nil {
		return nil, fmt.Errorf("dataset: %s: %w", path, err)
	}
	return m, nil
}

// readIDX implements ReadIDX; its errors carry no "dataset:" prefix so that
// callers can add their own context.
func readIDX(r io.Reader) (*IDX, error) {
	s, err := openIDX(r)
	if err != nil {
		return nil, err
	}
	defer s.close()
	return s.read()
}

// idxStream is an IDX file whose header has been read and checked, and
// whose data has not.
type idxStream struct {
	src   io.Reader
	zr    *gzip.Reader // nil for plain input
	dims  []int
	total int // product of dims, 1 to MaxElements
}

// openIDX reads and checks the header of an IDX file (plain or gzip) from r,
// allocating nothing for the data.
func openIDX(r io.Reader) (*idxStream, error) {
	br := bufio.NewReader(r)
	s := &idxStream{src: br}
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("idx: gzip: %w", err)
		}
		s.zr, s.src = zr, zr
	}
	if err := s.readHeader(); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

// close releases the gzip decoder, if any.
func (s *idxStream) close() {
	if s.zr != nil {
		s.zr.Close()
	}
}

func (s *idxStream) readHeader() error {
	var head [4]byte
	if n, err := io.ReadFull(s.src, head[:]); err != nil {
		return readErr("header", err, len(head), n)
	}
	if head[0] != 0 || head[1] != 0 {
		return fmt.Errorf("idx: %w: header starts with % x, want 00 00", ErrBadMagic, head[:2])
	}
	if head[2] != typeUint8 {
		name, ok := typeNames[head[2]]
		if !ok {
			name = "unknown"
		}
		return fmt.Errorf("idx: %w: type code 0x%02x (%s); only 0x08 (unsigned byte) is supported",
			ErrUnsupportedType, head[2], name)
	}
	ndims := int(head[3])
	if ndims == 0 {
		return fmt.Errorf("idx: %w: header declares 0 dimensions", ErrBadDims)
	}

	// At most 255*4 bytes, so reading the dimensions needs no further guard.
	raw := make([]byte, 4*ndims)
	if n, err := io.ReadFull(s.src, raw); err != nil {
		return readErr("dimensions", err, len(raw), n)
	}
	dims := make([]int, ndims)
	total := uint64(1)
	for i := range dims {
		d := uint64(binary.BigEndian.Uint32(raw[4*i:]))
		if d == 0 {
			return fmt.Errorf("idx: %w: dimension %d is 0", ErrBadDims, i)
		}
		// total <= MaxElements and d < 1<<32, so total*d cannot overflow
		// uint64 before the check.
		total *= d
		if total > MaxElements || total > math.MaxInt {
			return fmt.Errorf("idx: %w: dimensions %v exceed %d elements",
				ErrTooLarge, rawDims(raw), uint64(MaxElements))
		}
		dims[i] = int(d)
	}
	s.dims, s.total = dims, int(total)
	return nil
}

// read reads the data, checks that nothing follows it (and, for gzip, the
// checksum), and returns the decoded file.
func (s *idxStream) read() (*IDX, error) {
	data, err := readData(s.src, s.total)
	if err != nil {
		return nil, err
	}
	var one [1]byte
	switch n, err := io.ReadFull(s.src, one[:]); {
	case n > 0:
		return nil, fmt.Errorf("idx: %w after %d data bytes", ErrTrailingData, s.total)
	case s.zr != nil && err == io.ErrUnexpectedEOF:
		return nil, fmt.Errorf("idx: gzip stream %w after the %d data bytes: %w", ErrTruncated, s.total, err)
	case err != io.EOF:
		return nil, fmt.Errorf("idx: reading data: %w", err)
	}
	return &IDX{Dims: s.dims, Data: data}, nil
}

// readData reads exactly total bytes from r into a buffer that grows
// geometrically from readChunk as data arrives, ending with capacity exactly
// total.
func readData(r io.Reader, total int) ([]byte, error) {
	buf := make([]byte, 0, min(total, readChunk))
	for len(buf) < total {
		if len(buf) == cap(buf) {
			grown := make([]byte, len(buf), min(total, 2*cap(buf)))
			copy(grown, buf)
			buf = grown
		}
		n, err := io.ReadFull(r, buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err != nil {
			return nil, readErr("data", err, total, len(buf))
		}
	}
	return buf, nil
}

// readErr converts an error from io.ReadFull into a truncation error when the
// input simply ended, and otherwise wraps it with the section being read.
func readErr(section string, err error, want, got int) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return fmt.Errorf("idx: %s %w: want %d bytes, got %d", section, ErrTruncated, want, got)
	}
	return fmt.Errorf("idx: reading %s: %w", section, err)
}

// rawDims decodes the big-endian dimensions in raw for error messages.
func rawDims(raw []byte) []uint32 {
	out := make([]uint32, len(raw)/4)
	for i := range out {
		out[i] = binary.BigEndian.Uint32(raw[4*i:])
	}
	return out
}

// WriteIDX encodes data as an uncompressed IDX file of unsigned bytes
// (type code 0x08) with the given dimensions. There must be between 1 and 255
// dimensions, each between 1 and 1<<32-1, whose product equals len(data) and
// does not exceed MaxElements; otherwise the error wraps ErrBadDims or
// ErrTooLarge and nothing is written. To produce a gzip file, pass a
// *gzip.Writer and close it afterwards.
func WriteIDX(w io.Writer, dims []int, data []uint8) error {
	if len(dims) == 0 || len(dims) > 255 {
		return fmt.Errorf("dataset: idx: %w: %d dimensions, want 1 to 255", ErrBadDims, len(dims))
	}
	head := make([]byte, 4+4*len(dims))
	head[2] = typeUint8
	head[3] = byte(len(dims))
	total := uint64(1)
	for i, d := range dims {
		if d < 1 || uint64(d) > math.MaxUint32 {
			return fmt.Errorf("dataset: idx: %w: dimension %d is %d", ErrBadDims, i, d)
		}
		total *= uint64(d)
		if total > MaxElements {
			return fmt.Errorf("dataset: idx: %w: dimensions %v exceed %d elements", ErrTooLarge, dims, uint64(MaxElements))
		}
		binary.BigEndian.PutUint32(head[4+4*i:], uint32(d))
	}
	if total != uint64(len(data)) {
		return fmt.Errorf("dataset: idx: %w: dimensions %v hold %d elements, data has %d",
			ErrBadDims, dims, total, len(data))
	}
	if _, err := w.Write(head); err != nil {
		return fmt.Errorf("dataset: idx: writing header: %w", err)
	}
	if _, err := w.Write(data); err != nil {
		return fmt.Errorf("dataset: idx: writing data: %w", err)
	}
	return nil
}
