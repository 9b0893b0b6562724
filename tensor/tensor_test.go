package tensor_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/spikego/spikego/tensor"
)

func TestFromSlice(t *testing.T) {
	tests := []struct {
		name      string
		data      []float32
		shape     []int
		wantShape []int
		wantErr   []string // substrings of the error; nil means success
	}{
		{"no shape is 1-d", []float32{1, 2, 3}, nil, []int{3}, nil},
		{"2x3", make([]float32, 6), []int{2, 3}, []int{2, 3}, nil},
		{"scalar", []float32{7}, []int{}, []int{}, nil},
		{"empty 1-d", nil, nil, []int{0}, nil},
		{"empty 2-d", []float32{}, []int{0, 4}, []int{0, 4}, nil},
		{"too few", make([]float32, 5), []int{2, 3}, nil, []string{"[2 3]", "6", "5"}},
		{"too many", make([]float32, 7), []int{2, 3}, nil, []string{"[2 3]", "6", "7"}},
		{"scalar from two", []float32{1, 2}, []int{}, nil, []string{"[]", "2"}},
		{"negative", make([]float32, 2), []int{-1, -2}, nil, []string{"[-1 -2]"}},
		{"overflow", nil, []int{1 << 40, 1 << 40}, nil, []string{"too large"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x, err := tensor.FromSlice(tc.data, tc.shape...)
			if tc.wantErr != nil {
				checkErrContains(t, err, tc.wantErr...)
				if x != nil {
					t.Errorf("got tensor %v with an error", x)
				}
				return
			}
			if err != nil {
				t.Fatalf("FromSlice: %v", err)
			}
			checkShape(t, "FromSlice", x.Shape(), tc.wantShape)
			if x.Len() != len(tc.data) || x.Dims() != len(tc.wantShape) {
				t.Errorf("Len %d Dims %d, want %d %d", x.Len(), x.Dims(), len(tc.data), len(tc.wantShape))
			}
			if x.Data() == nil {
				t.Errorf("Data is nil")
			}
		})
	}
}

func TestFromSliceSharesStorage(t *testing.T) {
	d := []float32{1, 2, 3, 4}
	x := fromSlice(t, d, 2, 2)
	d[3] = 40
	if x.Data()[3] != 40 {
		t.Errorf("FromSlice copied its data")
	}
	// Shape must return a copy.
	s := x.Shape()
	s[0] = 99
	checkShape(t, "after mutating Shape()", x.Shape(), []int{2, 2})
}

func TestConstructors(t *testing.T) {
	z := tensor.New(2, 3)
	checkShape(t, "New", z.Shape(), []int{2, 3})
	checkExact(t, "New", z.Data(), make([]float32, 6))

	f := tensor.Full(2.5, 3)
	checkExact(t, "Full", f.Data(), []float32{2.5, 2.5, 2.5})
	checkExact(t, "Ones", tensor.Ones(2).Data(), []float32{1, 1})

	s := tensor.Scalar(4)
	if s.Dims() != 0 || s.Len() != 1 || s.Item() != 4 {
		t.Errorf("Scalar: dims %d len %d item %v", s.Dims(), s.Len(), s.Item())
	}
	if _, err := tensor.Zeros(2, -3); err == nil {
		t.Errorf("Zeros(2,-3): no error")
	}
	msg := mustPanic(t, func() { tensor.New(-1) })
	if !strings.Contains(msg, "[-1]") {
		t.Errorf("New(-1) panic %q does not name the shape", msg)
	}
	msg = mustPanic(t, func() { tensor.New(2).Item() })
	if !strings.Contains(msg, "[2]") {
		t.Errorf("Item panic %q does not name the shape", msg)
	}

	x := fromSlice(t, []float32{1, 2, 3, 4, 5, 6}, 2, 3)
	if x.Dim(0) != 2 || x.Dim(1) != 3 || x.Dim(-1) != 3 || x.Dim(-2) != 2 {
		t.Errorf("Dim: %d %d %d %d", x.Dim(0), x.Dim(1), x.Dim(-1), x.Dim(-2))
	}
	c := x.Clone()
	c.Data()[0] = 100
	if x.Data()[0] != 1 {
		t.Errorf("Clone shares storage")
	}
	if !c.SameShape(x) || c.SameShape(tensor.New(3, 2)) || c.SameShape(tensor.New(6)) {
		t.Errorf("SameShape wrong")
	}
	y := tensor.New(3, 2)
	if err := y.CopyFrom(x); err != nil {
		t.Fatal(err)
	}
	checkExact(t, "CopyFrom", y.Data(), x.Data())
	checkErrContains(t, y.CopyFrom(tensor.New(5)), "[5]", "[3 2]")

	if got, want := x.String(), "Tensor[2 3][1 2 3 4 5 6]"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
	if got := tensor.New(30).String(); !strings.HasSuffix(got, " ...]") {
		t.Errorf("String of 30 elements = %q, want it cut", got)
	}
}

func TestReshape(t *testing.T) {
	x := fromSlice(t, []float32{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 2, 3, 2)
	tests := []struct {
		shape   []int
		want    []int
		wantErr []string
	}{
		{[]int{12}, []int{12}, nil},
		{[]int{3, 4}, []int{3, 4}, nil},
		{[]int{-1}, []int{12}, nil},
		{[]int{-1, 4}, []int{3, 4}, nil},
		{[]int{2, -1, 3}, []int{2, 2, 3}, nil},
		{[]int{1, 1, 12, 1}, []int{1, 1, 12, 1}, nil},
		{[]int{5, -1}, nil, []string{"[2 3 2]", "[5 -1]"}},
		{[]int{-1, -1}, nil, []string{"[2 3 2]", "[-1 -1]"}},
		{[]int{0, -1}, nil, []string{"[2 3 2]", "[0 -1]"}},
		{[]int{5, 2}, nil, []string{"[2 3 2]", "[5 2]", "12", "10"}},
		{[]int{-2, -6}, nil, []string{"[2 3 2]", "[-2 -6]"}},
		{[]int{}, nil, []string{"[2 3 2]"}},
	}
	for _, tc := range tests {
		y, err := x.Reshape(tc.shape...)
		if tc.wantErr != nil {
			checkErrContains(t, err, tc.wantErr...)
			continue
		}
		if err != nil {
			t.Errorf("Reshape(%v): %v", tc.shape, err)
			continue
		}
		checkShape(t, "Reshape", y.Shape(), tc.want)
		checkExact(t, "Reshape data", y.Data(), x.Data())
	}

	// Reshape shares storage and does not alias the caller's shape slice.
	s := []int{4, -1}
	y, err := x.Reshape(s...)
	if err != nil {
		t.Fatal(err)
	}
	s[0] = 1
	checkShape(t, "Reshape after mutating argument", y.Shape(), []int{4, 3})
	y.Data()[5] = -5
	if x.Data()[5] != -5 {
		t.Errorf("Reshape copied the data")
	}

	// Scalar <-> one-element tensors; empty tensors.
	sc := tensor.Scalar(3)
	if y, err := sc.Reshape(1, 1); err != nil || !slices.Equal(y.Shape(), []int{1, 1}) {
		t.Errorf("scalar Reshape(1,1) = %v, %v", y, err)
	}
	if y, err := sc.Reshape(); err != nil || y.Dims() != 0 || y.Item() != 3 {
		t.Errorf("scalar Reshape() = %v, %v", y, err)
	}
	e := tensor.New(0, 3)
	if y, err := e.Reshape(3, 0, 5); err != nil || y.Len() != 0 {
		t.Errorf("empty Reshape(3,0,5) = %v, %v", y, err)
	}
}
