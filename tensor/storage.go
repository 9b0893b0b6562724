package tensor

import "unsafe"

// SharesStorage reports whether t and u have elements in common in
// memory: whether one is a view of the other (Reshape, FromSlice over the
// same slice) or both views of some common storage. Tensors without
// elements share nothing.
func (t *Tensor) SharesStorage(u *Tensor) bool {
	if len(t.data) == 0 || len(u.data) == 0 {
		return false
	}
	const size = unsafe.Sizeof(float32(0))
	a0 := uintptr(unsafe.Pointer(unsafe.SliceData(t.data)))
	b0 := uintptr(unsafe.Pointer(unsafe.SliceData(u.data)))
	a1 := a0 + uintptr(len(t.data))*size
	b1 := b0 + uintptr(len(u.data))*size
	return a0 < b1 && b0 < a1
}
