package dataset

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// DefaultDir is where the Debian package dataset-fashion-mnist installs the
// gzip-compressed Fashion-MNIST IDX files.
const DefaultDir = "/usr/share/datasets/fashion-mnist"

// NumClasses is the number of classes; every label is below NumClasses.
const NumClasses = 10

// ImageRows and ImageCols are the image size of Fashion-MNIST (and MNIST),
// the only size Load, Open and Sample accept: the models are built for it.
const (
	ImageRows = 28
	ImageCols = 28
)

// ClassNames returns the Fashion-MNIST class names, indexed by label (a
// new slice at every call).
func ClassNames() []string {
	return []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}
}

// Split selects the training or the test part of a dataset.
type Split int

// The dataset splits.
const (
	// Train is the training split (files train-*-ubyte).
	Train Split = iota
	// Test is the test split (files t10k-*-ubyte).
	Test
)

// String returns "train" or "test".
func (s Split) String() string {
	switch s {
	case Train:
		return "train"
	case Test:
		return "test"
	}
	return fmt.Sprintf("Split(%d)", int(s))
}

// prefix returns the file name prefix of the split, or an error for an
// invalid split.
func (s Split) prefix() (string, error) {
	switch s {
	case Train:
		return "train", nil
	case Test:
		return "t10k", nil
	}
	return "", fmt.Errorf("dataset: invalid split %v", s)
}

// Set is a labelled set of N grayscale images of Rows x Cols pixels.
type Set struct {
	// Images holds N*Rows*Cols pixels, image after image, each image in
	// row-major order; 0 is background and 255 full intensity.
	Images []uint8
	// Labels holds N class labels, each below NumClasses.
	Labels []uint8
	// N is the number of images.
	N int
	// Rows and Cols give the image height and width in pixels.
	Rows, Cols int
	// Name describes where the data came from, for logs and reports.
	Name string
}

// ImageSize returns the number of pixels per image, Rows*Cols.
func (s *Set) ImageSize() int { return s.Rows * s.Cols }

// Image returns the pixels of image i (0 <= i < N). The result aliases
// s.Images.
func (s *Set) Image(i int) []uint8 {
	size := s.ImageSize()
	return s.Images[i*size : (i+1)*size : (i+1)*size]
}

// Load reads the split of an MNIST-style dataset from dir. It looks for
// train-images-idx3-ubyte and train-labels-idx1-ubyte (Train) or
// t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (Test), each either
// uncompressed or with a .gz suffix; if both exist the uncompressed file is
// used. (The content, not the suffix, decides whether a file is decompressed.)
//
// Load reads and cross-checks both headers before it allocates any data: the
// images file must be three-dimensional, N x ImageRows x ImageCols (28 x 28),
// and the labels file one-dimensional with the same N. Then it reads the data
// and checks every label is below NumClasses. So the data Load holds is at
// most MaxElements (256 MiB) of pixels and MaxElements/784 labels, and a
// mismatched pair is refused before either is decoded. Every error names the
// file (both files, for a mismatch); missing files give an error wrapping
// fs.ErrNotExist. The returned Set's Name is "IDX files (dir)".
func Load(dir string, split Split) (*Set, error) {
	prefix, err := split.prefix()
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	imgPath, err := findFile(dir, prefix+"-images-idx3-ubyte")
	if err != nil {
		return nil, err
	}
	lblPath, err := findFile(dir, prefix+"-labels-idx1-ubyte")
	if err != nil {
		return nil, err
	}
	img, err := os.Open(imgPath)
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	defer img.Close()
	lbl, err := os.Open(lblPath)
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	defer lbl.Close()
	s, err := loadPair(imgPath, img, lblPath, lbl)
	if err != nil {
		return nil, err
	}
	s.Name = fmt.Sprintf("IDX files (%s)", dir)
	return s, nil
}

// findFile returns dir/name if it exists, else dir/name.gz if that exists,
// else an error wrapping fs.ErrNotExist.
func findFile(dir, name string) (string, error) {
	for _, n := range []string{name, name + ".gz"} {
		p := filepath.Join(dir, n)
		fi, err := os.Stat(p)
		if err == nil {
			if fi.IsDir() {
				return "", fmt.Errorf("dataset: %s is a directory", p)
			}
			return p, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("dataset: %w", err)
		}
	}
	return "", fmt.Errorf("dataset: neither %s nor %s.gz found in %s: %w", name, name, dir, fs.ErrNotExist)
}

// loadPair decodes an images file and a labels file, named imgName and
// lblName in errors, into a Set with an empty Name. Both headers are read
// and checked against each other before any data is allocated.
func loadPair(imgName string, img io.Reader, lblName string, lbl io.Reader) (*Set, error) {
	is, err := openIDX(img)
	if err != nil {
		return nil, fmt.Errorf("dataset: %s: %w", imgName, err)
	}
	defer is.close()
	ls, err := openIDX(lbl)
	if err != nil {
		return nil, fmt.Errorf("dataset: %s: %w", lblName, err)
	}
	defer ls.close()

	switch d := is.dims; {
	case len(d) == 1:
		return nil, fmt.Errorf("dataset: %s: %w: holds %d values in 1 dimension (a labels file?), want images N x %d x %d",
			imgName, ErrBadDims, d[0], ImageRows, ImageCols)
	case len(d) != 3:
		return nil, fmt.Errorf("dataset: %s: %w: images have %d dimensions %v, want 3 (N x %d x %d)",
			imgName, ErrBadDims, len(d), d, ImageRows, ImageCols)
	case d[1] != ImageRows || d[2] != ImageCols:
		return nil, fmt.Errorf("dataset: %s: %w: holds %dx%d images; Fashion-MNIST models need %dx%d",
			imgName, ErrBadDims, d[1], d[2], ImageRows, ImageCols)
	}
	switch d := ls.dims; {
	case len(d) == 3:
		return nil, fmt.Errorf("dataset: %s: %w: holds %v images (an images file?), want labels in 1 dimension",
			lblName, ErrBadDims, d)
	case len(d) != 1:
		return nil, fmt.Errorf("dataset: %s: %w: labels have %d dimensions %v, want 1",
			lblName, ErrBadDims, len(d), d)
	}
	if n, m := is.dims[0], ls.dims[0]; n != m {
		return nil, fmt.Errorf("dataset: %w: %s holds %d images but %s holds %d labels",
			ErrCountMismatch, imgName, n, lblName, m)
	}

	imgs, err := is.read()
	if err != nil {
		return nil, fmt.Errorf("dataset: %s: %w", imgName, err)
	}
	lbls, err := ls.read()
	if err != nil {
		return nil, fmt.Errorf("dataset: %s: %w", lblName, err)
	}
	for i, l := range lbls.Data {
		if l >= NumClasses {
			return nil, fmt.Errorf("dataset: %s: %w: label %d at index %d is outside the classes 0..%d",
				lblName, ErrBadLabel, l, i, NumClasses-1)
		}
	}
	return &Set{
		Images: imgs.Data,
		Labels: lbls.Data,
		N:      is.dims[0],
		Rows:   ImageRows,
		Cols:   ImageCols,
	}, nil
}

// Open loads a split for zero-setup runs. If dir is not empty it is the same
// as Load(dir, split): a missing dir is an error, never a silent fallback.
// If dir is empty, Open loads from DefaultDir when that directory holds the
// split's files, and otherwise falls back to the embedded sample (see Sample).
// Corrupt files in DefaultDir are reported, not skipped.
//
// Set.Name tells which data was used, for example
// "fashion-mnist (/usr/share/datasets/fashion-mnist)" or
// "embedded sample (4000 train / 1000 test images)".
func Open(dir string, split Split) (*Set, error) { return openFrom(DefaultDir, dir, split) }

// openFrom is Open with the default directory given (tests give another).
func openFrom(defaultDir, dir string, split Split) (*Set, error) {
	if dir != "" {
		return Load(dir, split)
	}
	s, err := Load(defaultDir, split)
	switch {
	case err == nil:
		s.Name = fmt.Sprintf("fashion-mnist (%s)", defaultDir)
		return s, nil
	case errors.Is(err, fs.ErrNotExist):
		return Sample(split)
	}
	return nil, err
}

// Subset returns a Set holding the first n images of s, or all of them if
// n >= s.N. The result shares its Images and Labels with s. Subset panics if
// n is negative. Name gets the suffix ", first n" when n < s.N.
func (s *Set) Subset(n int) *Set {
	if n < 0 {
		panic(fmt.Sprintf("dataset: Subset(%d): negative size", n))
	}
	name := s.Name
	if n >= s.N {
		n = s.N
	} else {
		name = fmt.Sprintf("%s, first %d", s.Name, n)
	}
	size := s.ImageSize()
	return &Set{
		Images: s.Images[: n*size : n*size],
		Labels: s.Labels[:n:n],
		N:      n,
		Rows:   s.Rows,
		Cols:   s.Cols,
		Name:   name,
	}
}
