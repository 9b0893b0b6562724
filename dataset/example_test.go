package dataset_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"log"

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
