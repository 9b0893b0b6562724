package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"os"
	"slices"
	"unicode/utf8"
)

// MaxHeaderSize is the largest header, in bytes, that [Read] accepts. The
// reference implementation uses the same limit.
const MaxHeaderSize = 100_000_000

// metadataKey is the reserved header key that holds the file metadata.
const metadataKey = "__metadata__"

// chunkSize is the number of data bytes decoded per read. It is a multiple
// of every dtype size, so no element straddles two chunks.
const chunkSize = 64 << 10

// Tensor is a named, dense, row-major array.
//
// Float tensors hold their values in Data. Integer and BOOL tensors hold
// them exactly in Ints, and, when float32 represents every one of them
// exactly, also in Data; [Tensor.Float32s] gives the float32 values of any
// tensor or says why it cannot. A Tensor literal with only Name, Shape and
// Data is an F32 tensor.
type Tensor struct {
	// Name is the key of the tensor in the file header.
	Name string
	// Shape lists the dimensions; an empty (or nil) Shape is a scalar
	// holding one element.
	Shape []int
	// Data holds the elements as float32 in row-major order; its length
	// is the product of Shape. Read fills it for every float dtype, and
	// for an integer dtype when every value converts to float32 exactly
	// (otherwise Data is nil).
	Data []float32
	// DType is the element type in the file. Read sets it; for Write the
	// empty DType means F32.
	DType DType
	// Ints holds the exact values of an integer or BOOL tensor in
	// row-major order (nil for a float dtype). Write takes the values of
	// an integer tensor from Ints, or from Data if Ints is nil.
	Ints []int64
}

// Float32s returns the values of t as float32. For a float dtype it is
// Data. For an integer dtype it converts Ints (or returns Data if Ints is
// nil), with an error naming the tensor, the element and its value if
// float32 cannot represent a value exactly (an integer beyond 2^24 with
// more than 24 significant bits), so that a consumer that needs float32
// never gets a silently rounded count or index.
func (t Tensor) Float32s() ([]float32, error) {
	if !t.DType.IsInteger() || t.Ints == nil {
		return t.Data, nil
	}
	out := make([]float32, len(t.Ints))
	for i, v := range t.Ints {
		if !exactFloat32(v) {
			return nil, fmt.Errorf("safetensors: tensor %q (%s): element %d is %d, which float32 cannot represent exactly",
				t.Name, t.DType, i, v)
		}
		out[i] = float32(v)
	}
	return out, nil
}

// File is the decoded content of a safetensors file.
type File struct {
	// Tensors lists the tensors in the order of their data offsets. Every
	// tensor returned by Read has a non-nil Shape and a non-nil Data.
	Tensors []Tensor
	// Metadata is the "__metadata__" entry of the header, or nil if the
	// file has none.
	Metadata map[string]string
}

// Get returns the tensor called name and true, or a zero Tensor and false
// if the file holds no such tensor.
func (f *File) Get(name string) (Tensor, bool) {
	for _, t := range f.Tensors {
		if t.Name == name {
			return t, true
		}
	}
	return Tensor{}, false
}

// Map returns a new map from tensor name to tensor. The tensors share
// their Shape and Data slices with f.
func (f *File) Map() map[string]Tensor {
	m := make(map[string]Tensor, len(f.Tensors))
	for _, t := range f.Tensors {
		m[t.Name] = t
	}
	return m
}

// Read decodes a complete safetensors file from r, which must hold
// exactly one file: bytes after the data buffer are an error. See the
// package documentation for the dtypes accepted and the checks made.
//
// If r has a method Len() int reporting its unread length (as
// *bytes.Reader, *bytes.Buffer and *strings.Reader do), sizes in the
// header are checked against it before any allocation.
func Read(r io.Reader) (*File, error) {
	size := int64(-1)
	if l, ok := r.(interface{ Len() int }); ok {
		size = int64(l.Len())
	}
	return read(r, size)
}

// ReadFile reads and decodes the safetensors file at path.
func ReadFile(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	size := int64(-1)
	if fi.Mode().IsRegular() {
		size = fi.Size()
	}
	file, err := read(f, size)
	if err != nil {
		return nil, fmt.Errorf("%w (file %s)", err, path)
	}
	return file, nil
}

// entry is one tensor of the header, validated except for its position in
// the buffer.
type entry struct {
	name       string
	dtype      DType
	shape      []int
	begin, end uint64
	n          int // number of elements
}

// read decodes a file from r. size is the number of bytes r holds, or -1
// if unknown.
func read(r io.Reader, size int64) (*File, error) {
	var lenBuf [8]byte
	if _, err := io.ReadFull(r, lenBuf[:]); err != nil {
		return nil, fmt.Errorf("safetensors: reading header length: %w", noEOF(err))
	}
	n := binary.LittleEndian.Uint64(lenBuf[:])
	if n > MaxHeaderSize {
		return nil, fmt.Errorf("safetensors: header length %d exceeds the limit of %d bytes", n, MaxHeaderSize)
	}
	remaining := int64(-1) // bytes after the header, if known
	if size >= 0 {
		if n > uint64(size-8) {
			return nil, fmt.Errorf("safetensors: header length %d exceeds the %d bytes that follow it", n, size-8)
		}
		remaining = size - 8 - int64(n)
	}

	header, err := readHeader(r, int64(n), size >= 0)
	if err != nil {
		return nil, err
	}
	entries, meta, err := parseHeader(header)
	if err != nil {
		return nil, err
	}
	bufLen, err := checkLayout(entries)
	if err != nil {
		return nil, err
	}
	if remaining >= 0 && bufLen != uint64(remaining) {
		return nil, fmt.Errorf("safetensors: tensors cover a %d-byte data buffer but %d bytes follow the header", bufLen, remaining)
	}

	tensors := make([]Tensor, len(entries))
	chunk := make([]byte, min(chunkSize, bufLen))
	for i, e := range entries {
		t, err := readTensor(r, e, chunk, remaining >= 0)
		if err != nil {
			return nil, err
		}
		tensors[i] = t
	}
	var one [1]byte
	switch k, err := io.ReadFull(r, one[:]); {
	case k > 0:
		return nil, fmt.Errorf("safetensors: unexpected data after the %d-byte data buffer", bufLen)
	case err != io.EOF && err != io.ErrUnexpectedEOF:
		return nil, fmt.Errorf("safetensors: checking for the end of the data: %w", err)
	}
	return &File{Tensors: tensors, Metadata: meta}, nil
}

// readHeader reads the n header bytes. If the input size was checked
// (trusted), it allocates n bytes at once; otherwise the buffer grows as
// bytes arrive, so a lying length cannot force a large allocation.
func readHeader(r io.Reader, n int64, trusted bool) ([]byte, error) {
	if trusted {
		b := make([]byte, n)
		if _, err := io.ReadFull(r, b); err != nil {
			return nil, fmt.Errorf("safetensors: reading %d-byte header: %w", n, noEOF(err))
		}
		return b, nil
	}
	var buf bytes.Buffer
	got, err := io.CopyN(&buf, r, n)
	if err != nil {
		if err == io.EOF {
			return nil, fmt.Errorf("safetensors: reading %d-byte header: input ends after %d bytes: %w", n, got, io.ErrUnexpectedEOF)
		}
		return nil, fmt.Errorf("safetensors: reading %d-byte header: %w", n, err)
	}
	return buf.Bytes(), nil
}

// readTensor reads and converts the data of e, which starts at the
// current position of r. If the input size was checked (trusted), it
// allocates the result at once; otherwise it grows as data arrives.
func readTensor(r io.Reader, e entry, chunk []byte, trusted bool) (Tensor, error) {
	t := Tensor{Name: e.name, Shape: e.shape, DType: e.dtype}
	dec := decoderFor(e.dtype)
	elem := e.dtype.Size()
	size := e.end - e.begin
	capacity := e.n
	if !trusted {
		capacity = min(e.n, chunkSize)
	}
	if dec != nil {
		t.Data = make([]float32, 0, capacity)
	} else {
		t.Ints = make([]int64, 0, capacity)
	}
	for done := uint64(0); done < size; {
		k := int(min(uint64(len(chunk)), size-done))
		if _, err := io.ReadFull(r, chunk[:k]); err != nil {
			return t, fmt.Errorf("safetensors: tensor %q: reading data bytes [%d,%d): %w",
				e.name, e.begin+done, e.end, noEOF(err))
		}
		m := k / elem
		if dec != nil {
			t.Data = grow(t.Data, m, e.n)
			dec(t.Data[len(t.Data):len(t.Data)+m], chunk[:k])
			t.Data = t.Data[:len(t.Data)+m]
		} else {
			t.Ints = grow(t.Ints, m, e.n)
			if bad := decodeInts(e.dtype, t.Ints[len(t.Ints):len(t.Ints)+m], chunk[:k]); bad >= 0 {
				i := uint64(len(t.Ints) + bad)
				var v uint64 // an unsigned dtype: BOOL or U64
				for j := elem - 1; j >= 0; j-- {
					v = v<<8 | uint64(chunk[bad*elem+j])
				}
				lo, hi := intRange(e.dtype)
				return t, fmt.Errorf("safetensors: tensor %q: element %d (bytes [%d,%d)) is %d, outside the range of %s (%d to %d)",
					e.name, i, e.begin+i*uint64(elem), e.begin+(i+1)*uint64(elem), v, e.dtype, lo, hi)
			}
			t.Ints = t.Ints[:len(t.Ints)+m]
		}
		done += uint64(k)
	}
	if t.Ints != nil && !slices.ContainsFunc(t.Ints, func(v int64) bool { return !exactFloat32(v) }) {
		t.Data = make([]float32, len(t.Ints))
		for i, v := range t.Ints {
			t.Data[i] = float32(v)
		}
	}
	return t, nil
}

// grow returns s with room for m more elements, doubling its capacity as
// needed but never beyond limit, so that a buffer filled as data arrives
// costs in all at most twice its final size.
func grow[E any](s []E, m, limit int) []E {
	if len(s)+m <= cap(s) {
		return s
	}
	g := make([]E, len(s), min(max(2*cap(s), len(s)+m), limit))
	copy(g, s)
	return g
}

// noEOF turns io.EOF into io.ErrUnexpectedEOF: input that ends where data
// was expected is truncated.
func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// visitError carries an error returned by the visit function of
// decodeObject, as opposed to an error in the JSON itself.
type visitError struct{ err error }

func (e visitError) Error() string { return e.err.Error() }

// skipValue decodes any JSON value into nothing, so that the decoder
// checks a value without copying it.
type skipValue struct{}

func (*skipValue) UnmarshalJSON([]byte) error { return nil }

// decodeObject calls visit on the members of a JSON object in input
// order, rejecting anything that is not a single object and any duplicate
// key (encoding/json would otherwise keep the last one silently). The
// value passed to visit is the member's JSON text, a subslice of data
// (nothing is copied). An error from visit is returned wrapped in a
// visitError; any other error is in the JSON.
func decodeObject(data []byte, visit func(key string, value []byte) error) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return noEOF(err)
	}
	if tok != json.Delim('{') {
		return fmt.Errorf("want a JSON object, found %s", describe(tok))
	}
	seen := make(map[string]bool)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return noEOF(err)
		}
		key, ok := tok.(string)
		if !ok { // encoding/json reports this as a syntax error; be safe.
			return fmt.Errorf("object key is %s, not a string", describe(tok))
		}
		if seen[key] {
			return fmt.Errorf("duplicate key %q", key)
		}
		seen[key] = true
		start := dec.InputOffset() // just after the key
		if err := dec.Decode(&skipValue{}); err != nil {
			return fmt.Errorf("value of %q: %w", key, noEOF(err))
		}
		value := bytes.TrimLeft(data[start:dec.InputOffset()], " \t\r\n:")
		if err := visit(key, value); err != nil {
			return visitError{err}
		}
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return noEOF(err)
	}
	if tok, err := dec.Token(); err != io.EOF {
		if err != nil {
			return fmt.Errorf("after the object: %w", err)
		}
		return fmt.Errorf("unexpected %s after the object", describe(tok))
	}
	return nil
}

// visitErr returns the error of decodeObject's visit function if err is
// one, and otherwise nil.
func visitErr(err error) error {
	var v visitError
	if errors.As(err, &v) {
		return v.err
	}
	return nil
}

// describe names a JSON token for an error message.
func describe(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		return fmt.Sprintf("%q", string(t))
	case string:
		return fmt.Sprintf("string %q", t)
	case nil:
		return "null"
	}
	return fmt.Sprintf("%v", tok)
}

// parseHeader decodes and validates the JSON header, returning the tensor
// entries (in header order) and the metadata.
func parseHeader(header []byte) ([]entry, map[string]string, error) {
	if !utf8.Valid(header) {
		return nil, nil, errors.New("safetensors: header is not valid UTF-8")
	}
	if len(header) == 0 || header[0] != '{' { // as the reference implementation requires
		return nil, nil, errors.New("safetensors: header does not start with '{'")
	}
	var meta map[string]string
	var entries []entry
	err := decodeObject(header, func(key string, value []byte) error {
		if key == metadataKey {
			var err error
			meta, err = parseMetadata(value)
			return err
		}
		e, err := parseEntry(key, value)
		entries = append(entries, e)
		return err
	})
	if err := visitErr(err); err != nil {
		return nil, nil, err
	}
	if err != nil {
		return nil, nil, fmt.Errorf("safetensors: invalid header JSON: %w", err)
	}
	if entries == nil {
		entries = []entry{}
	}
	return entries, meta, nil
}

// parseMetadata decodes the "__metadata__" object; null means none.
func parseMetadata(raw []byte) (map[string]string, error) {
	if string(raw) == "null" {
		return nil, nil
	}
	meta := make(map[string]string)
	err := decodeObject(raw, func(key string, value []byte) error {
		var s string
		if string(value) == "null" || json.Unmarshal(value, &s) != nil {
			return fmt.Errorf("safetensors: %s: value of %q is %s, not a string", metadataKey, key, value)
		}
		meta[key] = s
		return nil
	})
	if err := visitErr(err); err != nil {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("safetensors: %s: %w", metadataKey, err)
	}
	return meta, nil
}

// parseEntry decodes and validates the header entry of one tensor, except
// for how its offsets fit with the other tensors'.
func parseEntry(name string, raw []byte) (entry, error) {
	e := entry{name: name}
	var dtypeRaw, shapeRaw, offRaw []byte
	err := decodeObject(raw, func(key string, value []byte) error {
		switch key {
		case "dtype":
			dtypeRaw = value
		case "shape":
			shapeRaw = value
		case "data_offsets":
			offRaw = value
		}
		// Other keys are ignored, as the reference implementation does.
		return nil
	})
	if err != nil {
		return e, fmt.Errorf("safetensors: tensor %q: %w", name, err)
	}
	for _, req := range []struct {
		key string
		raw []byte
	}{{"dtype", dtypeRaw}, {"shape", shapeRaw}, {"data_offsets", offRaw}} {
		if req.raw == nil || string(req.raw) == "null" {
			return e, fmt.Errorf("safetensors: tensor %q: missing %q", name, req.key)
		}
	}

	if err := json.Unmarshal(dtypeRaw, &e.dtype); err != nil {
		return e, fmt.Errorf("safetensors: tensor %q: dtype %s is not a string", name, dtypeRaw)
	}
	elem := e.dtype.Size()
	if elem == 0 {
		return e, fmt.Errorf("safetensors: tensor %q: %s", name, unsupportedDType(e.dtype))
	}

	// Decoded straight into []int: a dimension beyond int is not a list
	// of integers.
	var shape []int
	if err := json.Unmarshal(shapeRaw, &shape); err != nil || shape == nil {
		return e, fmt.Errorf("safetensors: tensor %q: shape %s is not a list of integers", name, shapeRaw)
	}
	e.shape = shape
	nbytes := uint64(elem)
	overflow := false
	for _, d := range shape {
		if d < 0 {
			return e, fmt.Errorf("safetensors: tensor %q: shape %v has a negative dimension", name, shape)
		}
		hi, lo := bits.Mul64(nbytes, uint64(d))
		if hi != 0 {
			overflow = true // unless a later dimension is 0
		}
		nbytes = lo
	}
	if overflow && !slices.Contains(shape, 0) {
		return e, fmt.Errorf("safetensors: tensor %q: shape %v is too large", name, shape)
	}
	if overflow {
		nbytes = 0
	}

	var off []uint64
	if err := json.Unmarshal(offRaw, &off); err != nil || len(off) != 2 {
		return e, fmt.Errorf("safetensors: tensor %q: data_offsets %s is not a pair of non-negative integers", name, offRaw)
	}
	e.begin, e.end = off[0], off[1]
	if e.begin > e.end {
		return e, fmt.Errorf("safetensors: tensor %q: data_offsets [%d,%d] end before they begin", name, e.begin, e.end)
	}
	if have := e.end - e.begin; have != nbytes {
		return e, fmt.Errorf("safetensors: tensor %q: data_offsets [%d,%d] hold %d bytes, shape %v of %s needs %d",
			name, e.begin, e.end, have, shape, e.dtype, nbytes)
	}
	count := nbytes / uint64(elem)
	if count > math.MaxInt {
		return e, fmt.Errorf("safetensors: tensor %q: shape %v has too many elements", name, shape)
	}
	e.n = int(count)
	return e, nil
}

// checkLayout sorts entries by offset and checks that they tile the data
// buffer from 0 with no overlap and no hole. It returns the buffer length.
func checkLayout(entries []entry) (uint64, error) {
	slices.SortStableFunc(entries, func(a, b entry) int {
		if a.begin != b.begin {
			return cmpU64(a.begin, b.begin)
		}
		return cmpU64(a.end, b.end) // empty tensors before the one they start
	})
	pos := uint64(0)
	for i, e := range entries {
		switch {
		case e.begin > pos:
			return 0, fmt.Errorf("safetensors: tensor %q: data_offsets [%d,%d] leave a hole: bytes [%d,%d) belong to no tensor",
				e.name, e.begin, e.end, pos, e.begin)
		case e.begin < pos:
			prev := entries[i-1]
			return 0, fmt.Errorf("safetensors: tensor %q: data_offsets [%d,%d] overlap tensor %q at [%d,%d]",
				e.name, e.begin, e.end, prev.name, prev.begin, prev.end)
		}
		pos = e.end
	}
	return pos, nil
}

func cmpU64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
