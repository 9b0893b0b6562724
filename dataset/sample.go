package dataset

import (
	"embed"
	"fmt"
)

// Sizes of the embedded sample, the first images of each Fashion-MNIST split.
const (
	// SampleTrainN is the number of training images in the embedded sample.
	SampleTrainN = 4000
	// SampleTestN is the number of test images in the embedded sample.
	SampleTestN = 1000
)

// sampleFS holds the gzip IDX files of the embedded sample. They are cut
// from the Debian package's files by internal/mksample; see
// sample/README.md.
//
//go:embed sample/*.gz
var sampleFS embed.FS

// sampleName is the Set.Name of sets returned by Sample.
var sampleName = fmt.Sprintf("embedded sample (%d train / %d test images)", SampleTrainN, SampleTestN)

// Sample returns a split of the Fashion-MNIST sample embedded in the package:
// the first SampleTrainN training images or the first SampleTestN test images
// with their labels, 28x28 pixels each. It needs no files on disk. Each call
// decodes a fresh copy, so the caller may modify the result.
func Sample(split Split) (*Set, error) {
	prefix, err := split.prefix()
	if err != nil {
		return nil, err
	}
	imgName := "sample/" + prefix + "-images-idx3-ubyte.gz"
	lblName := "sample/" + prefix + "-labels-idx1-ubyte.gz"
	img, err := sampleFS.Open(imgName)
	if err != nil {
		return nil, fmt.Errorf("dataset: embedded sample: %w", err)
	}
	defer img.Close()
	lbl, err := sampleFS.Open(lblName)
	if err != nil {
		return nil, fmt.Errorf("dataset: embedded sample: %w", err)
	}
	defer lbl.Close()
	s, err := loadPair("embedded "+imgName, img, "embedded "+lblName, lbl)
	if err != nil {
		return nil, err
	}
	s.Name = sampleName
	return s, nil
}
