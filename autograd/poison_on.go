//go:build poolpoison

package autograd

// poison reports a build with the poolpoison tag, in which every buffer a
// Pool hands out is filled with NaNs first (see Pool).
const poison = true
