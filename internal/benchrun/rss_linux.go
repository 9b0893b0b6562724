package benchrun

// maxrssUnit is the unit of ru_maxrss in bytes: KiB on Linux.
const maxrssUnit = 1024
