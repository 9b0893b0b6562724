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

// Tensor is a named, dense, row-major float32 array.
type Tensor struct {
	// Name is the key of the tensor in the file header.
	Name string
	// Shape lists the dimensions; an empty (or nil) Shape is a scalar
	// holding one element.
	Shape []int
	// Data holds the elements in row-major order; its length is the
	// product of Shape.
	Data []float32
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
	dtype      string
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
		data, err := readTensor(r, e, chunk, remaining >= 0)
		if err != nil {
			return nil, err
		}
		tensors[i] = Tensor{Name: e.name, Shape: e.shape, Data: data}
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
// current position of r.
func readTensor(r io.Reader, e entry, chunk []byte, trusted bool) ([]float32, error) {
	dec := decoderFor(e.dtype)
	elem, _ := dtypeSize(e.dtype)
	size := e.end - e.begin
	var data []float32
	if trusted {
		data = make([]float32, 0, e.n)
	} else {
		data = make([]float32, 0, min(e.n, chunkSize))
	}
	for done := uint64(0); done < size; {
		k := int(min(uint64(len(chunk)), size-done))
		if _, err := io.ReadFull(r, chunk[:k]); err != nil {
			return nil, fmt.Errorf("safetensors: tensor %q: reading data bytes [%d,%d): %w",
				e.name, e.begin+done, e.end, noEOF(err))
		}
		m := k / elem
		data = slices.Grow(data, m)
		dec(data[len(data):len(data)+m], chunk[:k])
		data = data[:len(data)+m]
		done += uint64(k)
	}
	return data, nil
}

// noEOF turns io.EOF into io.ErrUnexpectedEOF: input that ends where data
// was expected is truncated.
func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// field is one member of a JSON object, in input order.
type field struct {
	key   string
	value json.RawMessage
}

// decodeObject splits a JSON object into its members, rejecting anything
// that is not a single object and any duplicate key (encoding/json would
// otherwise keep the last one silently).
func decodeObject(data []byte) ([]field, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return nil, noEOF(err)
	}
	if tok != json.Delim('{') {
		return nil, fmt.Errorf("want a JSON object, found %s", describe(tok))
	}
	var fields []field
	seen := make(map[string]bool)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, noEOF(err)
		}
		key, ok := tok.(string)
		if !ok { // encoding/json reports this as a syntax error; be safe.
			return nil, fmt.Errorf("object key is %s, not a string", describe(tok))
		}
		if seen[key] {
			return nil, fmt.Errorf("duplicate key %q", key)
		}
		seen[key] = true
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("value of %q: %w", key, noEOF(err))
		}
		fields = append(fields, field{key, v})
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return nil, noEOF(err)
	}
	if tok, err := dec.Token(); err != io.EOF {
		if err != nil {
			return nil, fmt.Errorf("after the object: %w", err)
		}
		return nil, fmt.Errorf("unexpected %s after the object", describe(tok))
	}
	return fields, nil
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
	fields, err := decodeObject(header)
	if err != nil {
		return nil, nil, fmt.Errorf("safetensors: invalid header JSON: %w", err)
	}
	var meta map[string]string
	entries := make([]entry, 0, len(fields))
	for _, f := range fields {
		if f.key == metadataKey {
			meta, err = parseMetadata(f.value)
			if err != nil {
				return nil, nil, err
			}
			continue
		}
		e, err := parseEntry(f.key, f.value)
		if err != nil {
			return nil, nil, err
		}
		entries = append(entries, e)
	}
	return entries, meta, nil
}

// parseMetadata decodes the "__metadata__" object; null means none.
func parseMetadata(raw json.RawMessage) (map[string]string, error) {
	if string(raw) == "null" {
		return nil, nil
	}
	fields, err := decodeObject(raw)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %s: %w", metadataKey, err)
	}
	meta := make(map[string]string, len(fields))
	for _, f := range fields {
		var s string
		if string(f.value) == "null" || json.Unmarshal(f.value, &s) != nil {
			return nil, fmt.Errorf("safetensors: %s: value of %q is %s, not a string", metadataKey, f.key, f.value)
		}
		meta[f.key] = s
	}
	return meta, nil
}

// parseEntry decodes and validates the header entry of one tensor, except
// for how its offsets fit with the other tensors'.
func parseEntry(name string, raw json.RawMessage) (entry, error) {
	e := entry{name: name}
	fields, err := decodeObject(raw)
	if err != nil {
		return e, fmt.Errorf("safetensors: tensor %q: %w", name, err)
	}
	var dtypeRaw, shapeRaw, offRaw json.RawMessage
	for _, f := range fields {
		switch f.key {
		case "dtype":
			dtypeRaw = f.value
		case "shape":
			shapeRaw = f.value
		case "data_offsets":
			offRaw = f.value
		}
		// Other keys are ignored, as the reference implementation does.
	}
	for _, req := range []struct {
		key string
		raw json.RawMessage
	}{{"dtype", dtypeRaw}, {"shape", shapeRaw}, {"data_offsets", offRaw}} {
		if req.raw == nil || string(req.raw) == "null" {
			return e, fmt.Errorf("safetensors: tensor %q: missing %q", name, req.key)
		}
	}

	if err := json.Unmarshal(dtypeRaw, &e.dtype); err != nil {
		return e, fmt.Errorf("safetensors: tensor %q: dtype %s is not a string", name, dtypeRaw)
	}
	elem, known := dtypeSize(e.dtype)
	if !known {
		return e, fmt.Errorf("safetensors: tensor %q: unknown dtype %q", name, e.dtype)
	}
	if decoderFor(e.dtype) == nil {
		return e, fmt.Errorf("safetensors: tensor %q: dtype %s is not supported (only F32, F64, F16 and BF16 can be read as float32)", name, e.dtype)
	}

	var shape []int64
	if err := json.Unmarshal(shapeRaw, &shape); err != nil {
		return e, fmt.Errorf("safetensors: tensor %q: shape %s is not a list of integers", name, shapeRaw)
	}
	e.shape = make([]int, len(shape))
	nbytes := uint64(elem)
	overflow := false
	for i, d := range shape {
		if d < 0 {
			return e, fmt.Errorf("safetensors: tensor %q: shape %v has a negative dimension", name, shape)
		}
		if uint64(d) > math.MaxInt {
			return e, fmt.Errorf("safetensors: tensor %q: shape %v has a dimension too large for int", name, shape)
		}
		e.shape[i] = int(d)
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
