package dataset_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/spikego/spikego/dataset"
)

func ExampleReadIDX() {
	// Encode two 2x3 images as a gzip-compressed IDX file.
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := dataset.WriteIDX(zw, []int{2, 2, 3}, []uint8{0, 1, 2, 3, 4, 5, 10, 20, 30, 40, 50, 60}); err != nil {
		log.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		log.Fatal(err)
	}

	// ReadIDX detects the compression from the content.
	m, err := dataset.ReadIDX(&buf)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("dims:", m.Dims)
	fmt.Println("data:", m.Data)

	// Malformed input gives a descriptive error.
	_, err = dataset.ReadIDX(bytes.NewReader([]byte{0, 0, 8, 1, 0, 0, 0, 5, 1, 2}))
	fmt.Println(err)
	// Output:
	// dims: [2 2 3]
	// data: [0 1 2 3 4 5 10 20 30 40 50 60]
	// dataset: idx: data truncated: want 5 bytes, got 2
}

func ExampleSample() {
	train, err := dataset.Sample(dataset.Train)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(train.Name)
	fmt.Printf("%d images of %dx%d pixels\n", train.N, train.Rows, train.Cols)
	for _, l := range train.Labels[:3] {
		fmt.Println(l, dataset.ClassNames()[l])
	}
	// Output:
	// embedded sample (4000 train / 1000 test images)
	// 4000 images of 28x28 pixels
	// 9 Ankle boot
	// 0 T-shirt/top
	// 0 T-shirt/top
}

func ExampleLoader() {
	test, err := dataset.Sample(dataset.Test)
	if err != nil {
		log.Fatal(err)
	}
	set := test.Subset(10)
	ld := dataset.NewLoader(set, 4, dataset.Perm(set.N, 1))
	fmt.Println("batches:", ld.Len())
	for x, y, ok := ld.Next(); ok; x, y, ok = ld.Next() {
		fmt.Println(len(y), "images,", len(x), "values")
	}
	// Output:
	// batches: 3
	// 4 images, 3136 values
	// 4 images, 3136 values
	// 2 images, 1568 values
}

func ExampleLoad() {
	dir, err := os.MkdirTemp("", "idx")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	write := func(name string, dims []int, data []uint8) {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			log.Fatal(err)
		}
		defer f.Close()
		if err := dataset.WriteIDX(f, dims, data); err != nil {
			log.Fatal(err)
		}
	}

	// Three 10x10 images: refused, with the file and the reason.
	write("train-images-idx3-ubyte", []int{3, 10, 10}, make([]uint8, 300))
	write("train-labels-idx1-ubyte", []int{3}, []uint8{0, 1, 2})
	_, err = dataset.Load(dir, dataset.Train)
	fmt.Println(strings.ReplaceAll(err.Error(), dir, "DIR"))

	// Two 28x28 images with their labels.
	write("train-images-idx3-ubyte", []int{2, 28, 28}, make([]uint8, 2*784))
	write("train-labels-idx1-ubyte", []int{2}, []uint8{7, 3})
	set, err := dataset.Load(dir, dataset.Train)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(set.N, set.Rows, set.Cols, set.Labels)
	// Output:
	// dataset: DIR/train-images-idx3-ubyte: bad dimensions: holds 10x10 images; Fashion-MNIST models need 28x28
	// 2 28 28 [7 3]
}
