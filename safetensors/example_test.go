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

// A BatchNorm checkpoint as PyTorch writes it: float32 statistics and an
// I64 num_batches_tracked. Integers stay exact in Ints; Float32s gives
// float32 values where a model needs them, or says why it cannot.
func Example_integers() {
	var buf bytes.Buffer
	err := safetensors.Write(&buf, []safetensors.Tensor{
		{Name: "bn.running_mean", Shape: []int{2}, Data: []float32{0.1, -0.2}},
		// spikego keeps the counter as float32; DType I64 writes it as torch does.
		{Name: "bn.num_batches_tracked", Shape: []int{}, DType: safetensors.I64, Data: []float32{600}},
		{Name: "token_ids", Shape: []int{2}, DType: safetensors.I64, Ints: []int64{7, 1<<24 + 1}},
	}, nil)
	if err != nil {
		log.Fatal(err)
	}
	f, err := safetensors.Read(&buf)
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range f.Tensors {
		v, err := t.Float32s()
		fmt.Println(t.Name, t.DType, t.Ints, v, err)
	}
	// Output:
	// bn.running_mean F32 [] [0.1 -0.2] <nil>
	// bn.num_batches_tracked I64 [600] [600] <nil>
	// token_ids I64 [7 16777217] [] safetensors: tensor "token_ids" (I64): element 1 is 16777217, which float32 cannot represent exactly
}
