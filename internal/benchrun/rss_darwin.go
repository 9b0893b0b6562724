package benchrun

// maxrssUnit is the unit of ru_maxrss in bytes: bytes on macOS.
const maxrssUnit = 1
