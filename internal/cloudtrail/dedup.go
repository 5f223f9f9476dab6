package cloudtrail

import "sync/atomic"

// dedupSet drops repeated eventIDs: "you may receive log files that contain
// one or more duplicate events. Duplicate events will have the same eventID"
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-find-log-files.html).
//
// It is a fixed-size, lock-free open-addressing table of 64-bit FNV-1a hashes
// shared by all workers, so memory is fixed whatever the input size. There
// is no shared counter (it would bounce between cores on every record):
// when a probe runs past maxProbe occupied slots the table is considered
// full, the ID is not admitted and saturation is reported.
type dedupSet struct {
	slots     []atomic.Uint64
	mask      uint64
	saturated atomic.Bool
}

const maxProbe = 64

// DefaultDedupSlots is the table size: 8 MiB, enough for several hundred
// thousand attributed events before probes run long.
const DefaultDedupSlots = 1 << 20

func newDedupSet(slots int) *dedupSet {
	size := 1
	for size < slots {
		size <<= 1
	}
	return &dedupSet{slots: make([]atomic.Uint64, size), mask: uint64(size - 1)}
}

func fnv64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	if h == 0 {
		h = 1 // 0 marks an empty slot
	}
	return h
}

// seen records id and reports whether it was recorded before.
func (d *dedupSet) seen(id string) bool {
	if d == nil {
		return false
	}
	h := fnv64(id)
	i := h & d.mask
	for range min(maxProbe, len(d.slots)) {
		cur := d.slots[i].Load()
		if cur == h {
			return true
		}
		if cur == 0 {
			if d.slots[i].CompareAndSwap(0, h) {
				return false
			}
			if d.slots[i].Load() == h {
				return true
			}
		}
		i = (i + 1) & d.mask
	}
	d.saturated.Store(true)
	return false
}
