package safetensors_test

import (
	"bytes"
	"fmt"
	"log"

	"github.com/spikego/spikego/safetensors"
)

func Example() {
	var buf bytes.Buffer
	err := safetensors.Write(&buf, []safetensors.Tensor{
		{Name: "fc.weight", Shape: []int{2, 3}, Data: []float32{1, 2, 3, 4, 5, 6}},
		{Name: "fc.bias", Shape: []int{2}, Data: []float32{0.5, -0.5}},
		{Name: "scale", Shape: []int{}, Data: []float32{2}},
	}, map[string]string{"format": "pt"})
	if err != nil {
		log.Fatal(err)
	}

	f, err := safetensors.Read(&buf)
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range f.Tensors {
		fmt.Println(t.Name, t.Shape, t.Data)
	}
	bias, ok := f.Get("fc.bias")
	fmt.Println(bias.Data, ok)
	fmt.Println(f.Metadata["format"])
	// Output:
	// fc.weight [2 3] [1 2 3 4 5 6]
	// fc.bias [2] [0.5 -0.5]
	// scale [] [2]
	// [0.5 -0.5] true
	// pt
}
