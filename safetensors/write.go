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
	"slices"
	"strconv"
	"unicode/utf8"
)

// Write encodes tensors as F32 in the order given, with the optional
// metadata, to w. A nil or empty metadata map writes no "__metadata__"
// entry.
//
// Every tensor is checked before anything is written: names must be valid
// UTF-8, distinct and not "__metadata__"; dimensions must be non-negative;
// len(Data) must equal the product of Shape (1 for a scalar). Metadata
// keys and values must be valid UTF-8. A nil Shape is written as a scalar.
func Write(w io.Writer, tensors []Tensor, metadata map[string]string) error {
	header, err := encodeHeader(tensors, metadata)
	if err != nil {
		return err
	}
	return writeBody(w, header, tensors)
}

// WriteFile writes tensors and metadata as by [Write] to the file at
// path, atomically. It writes a temporary file in the same directory,
// syncs it to stable storage, closes it and renames it over path, so path
// holds either its previous content or the complete new file, even if the
// process dies midway. On any error the temporary file is removed and
// path is left untouched. Invalid tensors are reported before any file is
// created.
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

// writeFileAtomic calls fill on a temporary file next to path and renames
// the result over path if fill, sync and close all succeed.
func writeFileAtomic(path string, fill func(io.Writer) error) (err error) {
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
	// Make the rename itself durable. Best effort: not every platform
	// can sync a directory, and the new file is already in place.
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
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
		if err := checkTensor(t, seen); err != nil {
			return nil, fmt.Errorf("safetensors: tensor %d %q: %w", i, t.Name, err)
		}
		seen[t.Name] = true
		end := offset + 4*uint64(len(t.Data))
		if js.Len() > 1 {
			js.WriteByte(',')
		}
		writeString(&js, t.Name)
		js.WriteString(`:{"dtype":"F32","shape":[`)
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

// checkTensor validates one tensor for writing; seen holds the names of
// the tensors before it.
func checkTensor(t Tensor, seen map[string]bool) error {
	switch {
	case !utf8.ValidString(t.Name):
		return errors.New("name is not valid UTF-8")
	case t.Name == metadataKey:
		return fmt.Errorf("name %q is reserved for metadata", metadataKey)
	case seen[t.Name]:
		return errors.New("duplicate name")
	}
	for _, d := range t.Shape {
		if d < 0 {
			return fmt.Errorf("shape %v has a negative dimension", t.Shape)
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
	if overflow || n != uint64(len(t.Data)) {
		return fmt.Errorf("shape %v needs %s elements, Data has %d", t.Shape, countString(n, overflow), len(t.Data))
	}
	return nil
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

// writeBody writes the encoded header and then the tensor data.
func writeBody(w io.Writer, header []byte, tensors []Tensor) error {
	if _, err := w.Write(header); err != nil {
		return fmt.Errorf("safetensors: writing header: %w", err)
	}
	buf := make([]byte, 0, chunkSize)
	for _, t := range tensors {
		data := t.Data
		for len(data) > 0 {
			k := min(len(data), chunkSize/4)
			buf = buf[:0]
			for _, v := range data[:k] {
				buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
			}
			if _, err := w.Write(buf); err != nil {
				return fmt.Errorf("safetensors: writing tensor %q: %w", t.Name, err)
			}
			data = data[k:]
		}
	}
	return nil
}
