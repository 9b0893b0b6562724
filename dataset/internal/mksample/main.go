// Command mksample cuts the embedded Fashion-MNIST sample of package dataset
// from the full IDX files: the first -train training images and the first
// -test test images with their labels, written as gzip IDX files.
//
// From the module root, with the Debian package dataset-fashion-mnist
// installed:
//
//	go run ./dataset/internal/mksample -src /usr/share/datasets/fashion-mnist -out dataset/sample
//
// The output is deterministic: the gzip headers carry no name or
// modification time.
package main

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"slices"

	"github.com/spikego/spikego/dataset"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("mksample: ")
	src := flag.String("src", dataset.DefaultDir, "directory holding the full Fashion-MNIST IDX files")
	out := flag.String("out", "dataset/sample", "output directory")
	nTrain := flag.Int("train", dataset.SampleTrainN, "number of training images to keep")
	nTest := flag.Int("test", dataset.SampleTestN, "number of test images to keep")
	flag.Parse()
	if flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	for _, c := range []struct {
		split  dataset.Split
		prefix string
		n      int
	}{
		{dataset.Train, "train", *nTrain},
		{dataset.Test, "t10k", *nTest},
	} {
		if err := cut(*src, *out, c.split, c.prefix, c.n); err != nil {
			log.Fatal(err)
		}
	}
}

// cut writes the first n images and labels of split in src to out.
func cut(src, out string, split dataset.Split, prefix string, n int) error {
	full, err := dataset.Load(src, split)
	if err != nil {
		return err
	}
	if n < 1 || n > full.N {
		return fmt.Errorf("%v split has %d images, cannot cut %d", split, full.N, n)
	}
	s := full.Subset(n)
	if err := writeGzipIDX(filepath.Join(out, prefix+"-images-idx3-ubyte.gz"),
		[]int{s.N, s.Rows, s.Cols}, s.Images); err != nil {
		return err
	}
	return writeGzipIDX(filepath.Join(out, prefix+"-labels-idx1-ubyte.gz"), []int{s.N}, s.Labels)
}

// writeGzipIDX writes data as a gzip-compressed IDX file at path and checks
// that it reads back identically.
func writeGzipIDX(path string, dims []int, data []uint8) error {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return err
	}
	if err := dataset.WriteIDX(zw, dims, data); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	back, err := dataset.ReadIDX(bytes.NewReader(buf.Bytes()))
	if err != nil {
		return fmt.Errorf("%s: read back: %w", path, err)
	}
	if !slices.Equal(back.Dims, dims) || !bytes.Equal(back.Data, data) {
		return fmt.Errorf("%s: read back differs from what was written", path)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return err
	}
	log.Printf("wrote %s: dims %v, %d bytes", path, dims, buf.Len())
	return nil
}
