package tensor_test

import (
	"fmt"

	"github.com/spikego/spikego/tensor"
)

func ExampleFromSlice() {
	x, err := tensor.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	if err != nil {
		panic(err)
	}
	fmt.Println(x, x.Shape(), x.Dim(-1))

	_, err = tensor.FromSlice([]float32{1, 2, 3}, 2, 2)
	fmt.Println(err)
	// Output:
	// Tensor[2 3][1 2 3 4 5 6] [2 3] 3
	// tensor: shape [2 2] holds 4 elements, data has 3
}

func ExampleMatMul() {
	a, _ := tensor.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	b, _ := tensor.FromSlice([]float32{7, 8, 9, 10, 11, 12}, 3, 2)
	c, err := tensor.MatMul(a, b)
	if err != nil {
		panic(err)
	}
	fmt.Println(c)

	_, err = tensor.MatMul(a, a)
	fmt.Println(err)
	// Output:
	// Tensor[2 2][58 64 139 154]
	// tensor: matmul shapes [2 3] and [2 3] do not match (transA=false, transB=false)
}

func ExampleAdd() {
	x, _ := tensor.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	bias, _ := tensor.FromSlice([]float32{10, 20, 30}, 3)
	y, _ := tensor.Add(x, bias) // bias broadcasts over the rows
	fmt.Println(y)
	// Output:
	// Tensor[2 3][11 22 33 14 25 36]
}

func ExampleMaxAxis() {
	x, _ := tensor.FromSlice([]float32{1, 3, 3, 2, 2, 1}, 2, 3)
	v, idx, _ := tensor.MaxAxis(x, 1, false)
	fmt.Println(v, idx) // ties go to the first index
	// Output:
	// Tensor[2][3 2] [1 0]
}
