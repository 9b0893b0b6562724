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
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"syscall"
	"unicode/utf8"
)

// Write encodes tensors in the order given, with the optional metadata, to
// w. A nil or empty metadata map writes no "__metadata__" entry.
//
// A tensor is written with its DType: F32 (or the empty DType) from Data,
// or an integer dtype (I64, I32, I16, I8, U64, U32, U16, U8, BOOL) from
// Ints, or from Data if Ints is nil. Other float dtypes cannot be written;
// set DType to F32 to write their Data.
//
// Every tensor is checked before anything is written: names must be valid
// UTF-8, distinct and not "__metadata__"; dimensions must be non-negative;
// the values (Data, or Ints) must number the product of Shape (1 for a
// scalar); an F32 tensor has no Ints; the values of an integer tensor must
// lie in the range of its dtype (0 or 1 for BOOL), and when they come from
// Data they must be integers; when an integer tensor has both Ints and
// Data, they must hold the same values. Metadata keys and values must be
// valid UTF-8. A nil Shape is written as a scalar.
func Write(w io.Writer, tensors []Tensor, metadata map[string]string) error {
	header, err := encodeHeader(tensors, metadata)
	if err != nil {
		return err
	}
	return writeBody(w, header, tensors)
}

// WriteFile writes tensors and metadata as by [Write] to the file at
// path, atomically and durably. It writes a temporary file in the same
// directory, syncs it to stable storage, closes it, renames it over path
// and then syncs the directory, so that path holds either its previous
// content or the complete new file, even if the process or the machine
// dies midway, and once WriteFile returns nil the new file survives a
// crash. On an error before the rename the temporary file is removed and
// path is left untouched; an error syncing the directory (reported unless
// the platform or file system cannot sync directories) comes after path
// already holds the new file. Invalid tensors are reported before any
// file is created.
//
// The new file takes the permission bits of the file it replaces, or 0644
// if there is none. If path is a symbolic link, the link itself is
// replaced by a regular file.
func WriteFile(path string, tensors []Tensor, metadata map[string]string) error {
	header, err := encodeHeader(tensors, metadata)
	if err != nil {
		return fmt.Errorf("%w (file %s)", err, path)
	}
	return writeFileAtomic(path, func(w io.Writer) error {
		return writeBody(w, header, tensors)
	})
}

// writeFileAtomic calls fill on a temporary file next to path, renames
// the result over path if fill, sync and close all succeed, and syncs the
// directory.
func writeFileAtomic(path string, fill func(io.Writer) error) error {
	return writeFileAtomicSync(path, fill, syncDir)
}

// writeFileAtomicSync is writeFileAtomic with the directory sync as a
// parameter, for tests.
func writeFileAtomicSync(path string, fill func(io.Writer) error, syncDir func(dir string) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("safetensors: creating temporary file for %s: %w", path, err)
	}
	tmp := f.Name()
	closed := false
	defer func() {
		if err != nil {
			if !closed {
				f.Close()
			}
			os.Remove(tmp)
		}
	}()

	if err := fill(f); err != nil {
		return fmt.Errorf("%w (writing %s)", err, tmp)
	}
	perm := os.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() {
		perm = fi.Mode().Perm()
	}
	if err := f.Chmod(perm); err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("safetensors: syncing %s: %w", tmp, err)
	}
	closed = true
	if err := f.Close(); err != nil {
		return fmt.Errorf("safetensors: closing %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	// Make the rename itself durable.
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("safetensors: %s is written, but syncing its directory failed: %w", path, err)
	}
	return nil
}

// syncDir syncs the directory dir to stable storage, so that a rename in
// it survives a crash. Platforms and file systems that cannot sync a
// directory (Windows; EINVAL or ENOTSUP from fsync) are not an error.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, errors.ErrUnsupported) {
		return err
	}
	return nil
}

// encodeHeader validates tensors and metadata and returns the complete
// header: the 8-byte length followed by the JSON, padded with spaces to a
// multiple of 8 bytes.
func encodeHeader(tensors []Tensor, metadata map[string]string) ([]byte, error) {
	var js bytes.Buffer
	js.WriteByte('{')
	if len(metadata) > 0 {
		if err := encodeMetadata(&js, metadata); err != nil {
			return nil, err
		}
	}
	seen := make(map[string]bool, len(tensors))
	offset := uint64(0)
	for i, t := range tensors {
		n, err := checkTensor(t, seen)
		if err != nil {
			return nil, fmt.Errorf("safetensors: tensor %d %q: %w", i, t.Name, err)
		}
		seen[t.Name] = true
		dtype := t.DType.orF32()
		end := offset + uint64(dtype.Size())*uint64(n)
		if js.Len() > 1 {
			js.WriteByte(',')
		}
		writeString(&js, t.Name)
		fmt.Fprintf(&js, `:{"dtype":"%s","shape":[`, dtype)
		for j, d := range t.Shape {
			if j > 0 {
				js.WriteByte(',')
			}
			js.WriteString(strconv.Itoa(d))
		}
		fmt.Fprintf(&js, `],"data_offsets":[%d,%d]}`, offset, end)
		offset = end
	}
	js.WriteByte('}')
	for js.Len()%8 != 0 {
		js.WriteByte(' ')
	}
	if js.Len() > MaxHeaderSize {
		return nil, fmt.Errorf("safetensors: header of %d bytes exceeds the limit of %d", js.Len(), MaxHeaderSize)
	}
	out := make([]byte, 8, 8+js.Len())
	binary.LittleEndian.PutUint64(out, uint64(js.Len()))
	return append(out, js.Bytes()...), nil
}

// encodeMetadata appends the "__metadata__" member to js, keys sorted so
// that the output is deterministic.
func encodeMetadata(js *bytes.Buffer, metadata map[string]string) error {
	keys := make([]string, 0, len(metadata))
	for k, v := range metadata {
		if !utf8.ValidString(k) {
			return fmt.Errorf("safetensors: metadata key %q is not valid UTF-8", k)
		}
		if !utf8.ValidString(v) {
			return fmt.Errorf("safetensors: metadata value of %q is not valid UTF-8", k)
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	writeString(js, metadataKey)
	js.WriteString(":{")
	for i, k := range keys {
		if i > 0 {
			js.WriteByte(',')
		}
		writeString(js, k)
		js.WriteByte(':')
		writeString(js, metadata[k])
	}
	js.WriteByte('}')
	return nil
}

// checkTensor validates one tensor for writing and returns its number of
// elements; seen holds the names of the tensors before it.
func checkTensor(t Tensor, seen map[string]bool) (int, error) {
	switch {
	case !utf8.ValidString(t.Name):
		return 0, errors.New("name is not valid UTF-8")
	case t.Name == metadataKey:
		return 0, fmt.Errorf("name %q is reserved for metadata", metadataKey)
	case seen[t.Name]:
		return 0, errors.New("duplicate name")
	}
	for _, d := range t.Shape {
		if d < 0 {
			return 0, fmt.Errorf("shape %v has a negative dimension", t.Shape)
		}
	}
	n, overflow := uint64(1), false
	if slices.Contains(t.Shape, 0) {
		n = 0
	} else {
		for _, d := range t.Shape {
			hi, lo := bits.Mul64(n, uint64(d))
			overflow = overflow || hi != 0
			n = lo
		}
	}
	dtype := t.DType.orF32()
	if dtype != F32 && !dtype.IsInteger() {
		if dtype.Size() == 0 {
			return 0, fmt.Errorf("unknown dtype %q", string(dtype))
		}
		return 0, fmt.Errorf("dtype %s cannot be written: only F32 and the integer dtypes can (set DType to F32 to write Data as float32)", dtype)
	}
	if !dtype.IsInteger() || t.Ints == nil {
		if !dtype.IsInteger() && t.Ints != nil {
			return 0, fmt.Errorf("dtype %s takes its values from Data, but Ints is set", dtype)
		}
		if overflow || n != uint64(len(t.Data)) {
			return 0, fmt.Errorf("shape %v needs %s elements, Data has %d", t.Shape, countString(n, overflow), len(t.Data))
		}
		if dtype.IsInteger() {
			lo, hi := intRange(dtype)
			for i, f := range t.Data {
				if _, ok := float32ToInt(f, lo, hi); !ok {
					return 0, fmt.Errorf("Data[%d] = %v is not an integer in the range of %s (%d to %d)", i, f, dtype, lo, hi)
				}
			}
		}
		return len(t.Data), nil
	}
	if overflow || n != uint64(len(t.Ints)) {
		return 0, fmt.Errorf("shape %v needs %s elements, Ints has %d", t.Shape, countString(n, overflow), len(t.Ints))
	}
	lo, hi := intRange(dtype)
	for i, v := range t.Ints {
		if v < lo || v > hi {
			return 0, fmt.Errorf("Ints[%d] = %d is outside the range of %s (%d to %d)", i, v, dtype, lo, hi)
		}
	}
	if t.Data != nil {
		if len(t.Data) != len(t.Ints) {
			return 0, fmt.Errorf("Data has %d elements, Ints %d", len(t.Data), len(t.Ints))
		}
		for i, v := range t.Ints {
			if w, ok := float32ToInt(t.Data[i], lo, hi); !ok || w != v {
				return 0, fmt.Errorf("Data[%d] = %v differs from Ints[%d] = %d", i, t.Data[i], i, v)
			}
		}
	}
	return len(t.Ints), nil
}

func countString(n uint64, overflow bool) string {
	if overflow {
		return "more than 2^64"
	}
	return strconv.FormatUint(n, 10)
}

// writeString appends s to js as a JSON string, without the HTML escaping
// of encoding/json.Marshal. s must be valid UTF-8.
func writeString(js *bytes.Buffer, s string) {
	enc := json.NewEncoder(js)
	enc.SetEscapeHTML(false)
	enc.Encode(s) // cannot fail for a string
	js.Truncate(js.Len() - 1)
}

// writeBody writes the encoded header and then the tensor data, which
// checkTensor has validated.
func writeBody(w io.Writer, header []byte, tensors []Tensor) error {
	if _, err := w.Write(header); err != nil {
		return fmt.Errorf("safetensors: writing header: %w", err)
	}
	buf := make([]byte, 0, chunkSize)
	ints := make([]int64, 0, chunkSize/8)
	for _, t := range tensors {
		dtype := t.DType.orF32()
		per := chunkSize / dtype.Size() // elements per chunk
		for i, n := 0, max(len(t.Data), len(t.Ints)); i < n; i += per {
			k := min(n-i, per)
			buf = buf[:0]
			switch {
			case !dtype.IsInteger():
				for _, v := range t.Data[i : i+k] {
					buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
				}
			case t.Ints != nil:
				buf = appendInts(buf, dtype, t.Ints[i:i+k])
			default:
				for j := 0; j < k; j += cap(ints) {
					ints = ints[:0]
					for _, f := range t.Data[i+j : i+min(k, j+cap(ints))] {
						ints = append(ints, int64(f)) // an exact integer of the dtype's range
					}
					buf = appendInts(buf, dtype, ints)
				}
			}
			if _, err := w.Write(buf); err != nil {
				return fmt.Errorf("safetensors: writing tensor %q: %w", t.Name, err)
			}
		}
	}
	return nil
}
