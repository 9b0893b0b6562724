package dataset

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// encodeIDX returns the IDX encoding of dims and data, gzip-compressed if gz.
func encodeIDX(t testing.TB, dims []int, data []uint8, gz bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	if !gz {
		if err := WriteIDX(&buf, dims, data); err != nil {
			t.Fatalf("WriteIDX(%v): %v", dims, err)
		}
		return buf.Bytes()
	}
	zw := gzip.NewWriter(&buf)
	if err := WriteIDX(zw, dims, data); err != nil {
		t.Fatalf("WriteIDX(%v): %v", dims, err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// gzipBytes compresses b.
func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// rawHeader builds an IDX header with an arbitrary type code and dimensions.
func rawHeader(typ byte, dims ...uint32) []byte {
	b := []byte{0, 0, typ, byte(len(dims))}
	for _, d := range dims {
		b = append(b, byte(d>>24), byte(d>>16), byte(d>>8), byte(d))
	}
	return b
}

// seq returns n bytes counting up from start, wrapping at 256.
func seq(n int, start byte) []uint8 {
	b := make([]uint8, n)
	for i := range b {
		b[i] = start + byte(i)
	}
	return b
}

func TestIDXRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		dims []int
	}{
		{"1d", []int{1}},
		{"labels", []int{300}},
		{"images", []int{3, 28, 28}},
		{"4d", []int{2, 3, 4, 5}},
		{"unit dims", []int{1, 1, 1, 1, 1, 7}},
		{"larger than read chunk", []int{3, readChunk/3 + 17}},
	}
	for _, tt := range tests {
		for _, gz := range []bool{false, true} {
			name := tt.name
			if gz {
				name += "/gzip"
			}
			t.Run(name, func(t *testing.T) {
				n := 1
				for _, d := range tt.dims {
					n *= d
				}
				data := seq(n, 7)
				m, err := ReadIDX(bytes.NewReader(encodeIDX(t, tt.dims, data, gz)))
				if err != nil {
					t.Fatalf("ReadIDX: %v", err)
				}
				if !slices.Equal(m.Dims, tt.dims) {
					t.Errorf("Dims = %v, want %v", m.Dims, tt.dims)
				}
				if !bytes.Equal(m.Data, data) {
					t.Errorf("Data differs from what was written")
				}
				if cap(m.Data) != len(m.Data) {
					t.Errorf("cap(Data) = %d, want exactly %d", cap(m.Data), len(m.Data))
				}
			})
		}
	}
}

func TestWriteIDXFormat(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteIDX(&buf, []int{2, 1}, []uint8{0xAB, 0xCD}); err != nil {
		t.Fatal(err)
	}
	want := []byte{0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 1, 0xAB, 0xCD}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("WriteIDX wrote % x, want % x", buf.Bytes(), want)
	}
}

func TestReadIDXErrors(t *testing.T) {
	valid := encodeIDX(t, []int{2, 3, 4}, seq(24, 0), false)
	validGz := encodeIDX(t, []int{2, 3, 4}, seq(24, 0), true)
	badCRC := slices.Clone(validGz)
	badCRC[len(badCRC)-8] ^= 0xff // first byte of the CRC-32 trailer

	tests := []struct {
		name    string
		in      []byte
		wantErr error  // matched with errors.Is, if not nil
		wantMsg string // substring of the message
	}{
		{"empty", nil, ErrTruncated, "header truncated: want 4 bytes, got 0"},
		{"short header", []byte{0, 0, 8}, ErrTruncated, "header truncated: want 4 bytes, got 3"},
		{"bad magic", append([]byte{0x12, 0x34}, valid[2:]...), ErrBadMagic, "header starts with 12 34"},
		{"bad magic second byte", append([]byte{0, 1}, valid[2:]...), ErrBadMagic, "want 00 00"},
		{"float32 type", append(rawHeader(0x0D, 1), 0, 0, 0, 0), ErrUnsupportedType, "type code 0x0d (float32)"},
		{"int32 type", append(rawHeader(0x0C, 1), 0, 0, 0, 0), ErrUnsupportedType, "type code 0x0c (int32)"},
		{"unknown type", rawHeader(0x42, 1), ErrUnsupportedType, "type code 0x42 (unknown)"},
		{"zero dims", rawHeader(8), ErrBadDims, "0 dimensions"},
		{"zero dimension", rawHeader(8, 3, 0, 2), ErrBadDims, "dimension 1 is 0"},
		{"truncated dims", valid[:9], ErrTruncated, "dimensions truncated: want 12 bytes, got 5"},
		{"truncated data", valid[:len(valid)-5], ErrTruncated, "truncated: want 24 bytes, got 19"},
		{"no data", valid[:16], ErrTruncated, "truncated: want 24 bytes, got 0"},
		{"overflow", rawHeader(8, math.MaxUint32, math.MaxUint32, math.MaxUint32), ErrTooLarge, "exceed 268435456 elements"},
		{"just over limit", rawHeader(8, 1<<14, 1<<14+1), ErrTooLarge, "dimensions [16384 16385] exceed 268435456 elements"},
		{"Fashion-MNIST-like over limit", rawHeader(8, 342393, 28, 28), ErrTooLarge, "[342393 28 28]"},
		{"many dims over limit", rawHeader(8, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2), ErrTooLarge, "exceed"},
		{"trailing data", append(slices.Clone(valid), 0), ErrTrailingData, "after 24 data bytes"},
		{"gzip bad magic", gzipBytes(t, append([]byte{1, 0}, valid[2:]...)), ErrBadMagic, ""},
		{"gzip truncated data", gzipBytes(t, valid[:len(valid)-1]), ErrTruncated, "want 24 bytes, got 23"},
		{"gzip trailing data", gzipBytes(t, append(slices.Clone(valid), 1, 2)), ErrTrailingData, ""},
		{"gzip stream cut", validGz[:len(validGz)-12], ErrTruncated, "gzip stream truncated after the 24 data bytes: unexpected EOF"},
		{"gzip trailer cut", validGz[:len(validGz)-4], ErrTruncated, "gzip stream truncated"},
		{"gzip bad checksum", badCRC, gzip.ErrChecksum, ""},
		{"gzip bad header", []byte{0x1f, 0x8b, 0, 0, 0, 0, 0, 0, 0, 0}, gzip.ErrHeader, "gzip"},
		{"gzip garbage after stream", append(slices.Clone(validGz), bytes.Repeat([]byte{0xde}, 12)...), gzip.ErrHeader, ""},
		{"gzip short garbage after stream", append(slices.Clone(validGz), 0xde, 0xad), ErrTruncated, "unexpected EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ReadIDX(bytes.NewReader(tt.in))
			if err == nil {
				t.Fatalf("ReadIDX succeeded with dims %v, want error", m.Dims)
			}
			if m != nil {
				t.Errorf("ReadIDX returned non-nil IDX with error")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %q does not wrap %q", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not contain %q", err, tt.wantMsg)
			}
			if !strings.HasPrefix(err.Error(), "dataset: ") {
				t.Errorf("error %q lacks the dataset: prefix", err)
			}
		})
	}
}

// errReader returns its error after delivering its data.
type errReader struct {
	data []byte
	err  error
}

func (r *errReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestReadIDXReaderError(t *testing.T) {
	boom := errors.New("boom")
	valid := encodeIDX(t, []int{10}, seq(10, 0), false)
	for _, cut := range []int{0, 6, 14} {
		_, err := ReadIDX(&errReader{data: valid[:cut], err: boom})
		if !errors.Is(err, boom) {
			t.Errorf("cut %d: error %v does not wrap the reader's error", cut, err)
		}
		if errors.Is(err, ErrTruncated) {
			t.Errorf("cut %d: reader failure reported as truncation: %v", cut, err)
		}
	}
}

// TestReadIDXHugeDimsNoAlloc checks that a tiny file declaring a huge size
// fails without allocating memory for the declared size.
func TestReadIDXHugeDimsNoAlloc(t *testing.T) {
	tiny := append(rawHeader(8, 1<<14, 1<<14), seq(100, 0)...) // declares 256 MiB, the limit
	tests := []struct {
		name string
		in   []byte
	}{
		{"plain", tiny},
		{"gzip", gzipBytes(t, tiny)},
		{"mnist-like", append(rawHeader(8, 60000, 28, 28), seq(1000, 0)...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err := ReadIDX(bytes.NewReader(tt.in))
			runtime.ReadMemStats(&after)
			if !errors.Is(err, ErrTruncated) {
				t.Fatalf("error %v, want ErrTruncated", err)
			}
			if got := after.TotalAlloc - before.TotalAlloc; got > 4<<20 {
				t.Errorf("ReadIDX allocated %d bytes for a %d-byte input", got, len(tt.in))
			}
		})
	}
}

func TestOpenIDX(t *testing.T) {
	dir := t.TempDir()
	data := seq(6, 1)
	good := filepath.Join(dir, "good.idx") // gzip content despite the name
	if err := os.WriteFile(good, encodeIDX(t, []int{2, 3}, data, true), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := OpenIDX(good)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(m.Dims, []int{2, 3}) || !bytes.Equal(m.Data, data) {
		t.Errorf("OpenIDX = %v %v, want [2 3] %v", m.Dims, m.Data, data)
	}

	bad := filepath.Join(dir, "bad.gz") // plain truncated content despite the name
	if err := os.WriteFile(bad, encodeIDX(t, []int{2, 3}, data, false)[:15], 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = OpenIDX(bad)
	if !errors.Is(err, ErrTruncated) || !strings.Contains(err.Error(), bad) {
		t.Errorf("OpenIDX(bad) error %v, want ErrTruncated naming %s", err, bad)
	}

	missing := filepath.Join(dir, "missing")
	_, err = OpenIDX(missing)
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), missing) {
		t.Errorf("OpenIDX(missing) error %v, want not-exist naming %s", err, missing)
	}
}

// failWriter fails every write.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, io.ErrShortWrite }

func TestWriteIDXErrors(t *testing.T) {
	var huge uint64 = 1 << 32
	tests := []struct {
		name    string
		w       io.Writer
		dims    []int
		data    []uint8
		wantErr error
	}{
		{"no dims", io.Discard, nil, nil, ErrBadDims},
		{"256 dims", io.Discard, make([]int, 256), nil, ErrBadDims},
		{"zero dim", io.Discard, []int{2, 0}, nil, ErrBadDims},
		{"negative dim", io.Discard, []int{-1}, nil, ErrBadDims},
		{"dim over uint32", io.Discard, []int{int(huge)}, nil, ErrBadDims},
		{"too large", io.Discard, []int{1 << 16, 1 << 16}, nil, ErrTooLarge},
		{"short data", io.Discard, []int{2, 3}, make([]uint8, 5), ErrBadDims},
		{"long data", io.Discard, []int{2, 3}, make([]uint8, 7), ErrBadDims},
		{"writer fails", failWriter{}, []int{1}, []uint8{1}, io.ErrShortWrite},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "dim over uint32" && math.MaxInt < math.MaxUint32 {
				t.Skip("int is 32 bits")
			}
			var buf bytes.Buffer
			w := tt.w
			if w == io.Discard {
				w = &buf
			}
			err := WriteIDX(w, tt.dims, tt.data)
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("WriteIDX error %v, want %v", err, tt.wantErr)
			}
			if buf.Len() != 0 {
				t.Errorf("WriteIDX wrote %d bytes before failing", buf.Len())
			}
		})
	}
}
