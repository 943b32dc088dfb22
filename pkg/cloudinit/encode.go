package cloudinit

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"fmt"
)

// The guestinfo keys cloud-init's VMware datasource reads, and their
// encoding keys.
const (
	KeyMetadata           = "guestinfo.metadata"
	KeyMetadataEncoding   = "guestinfo.metadata.encoding"
	KeyUserData           = "guestinfo.userdata"
	KeyUserDataEncoding   = "guestinfo.userdata.encoding"
	KeyVendorData         = "guestinfo.vendordata"
	KeyVendorDataEncoding = "guestinfo.vendordata.encoding"
)

// EncodingGzipBase64 is the encoding ceso writes. cloud-init recognises only
// "gzip+base64", "gz+b64", "base64" and "b64"; any other value makes it read
// the data as plain text.
const EncodingGzipBase64 = "gzip+base64"

// MaxValueBytes is the largest encoded guestinfo value ceso writes: 64 KiB.
// The guest reads each key over the VMware backdoor RPC channel, whose
// messages from guest to host are capped at 64 KiB (open-vm-tools
// GUESTMSG_MAX_IN_SIZE; the Guest SDK documents 64 KB guest-to-VMX and about
// 1 MB VMX-to-guest). Keeping each value under the smaller limit means it can
// also be written back from the guest (cloud-init's redact does so), and
// three such values stay far below the 1 MiB that tools.setInfo.sizeLimit
// allows for a VM's guestinfo by default.
const MaxValueBytes = 64 * 1024

// ManagedKeys lists every key this package writes or reads, in a stable
// order.
var ManagedKeys = []string{
	KeyMetadata, KeyMetadataEncoding,
	KeyUserData, KeyUserDataEncoding,
	KeyVendorData, KeyVendorDataEncoding,
}

// encodeValue gzips plain with a fixed header (no name, mtime 0) and
// base64-encodes it, refusing results larger than MaxValueBytes.
func encodeValue(key string, plain []byte) (string, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return "", fmt.Errorf("compressing %s: %w", key, err)
	}
	if _, err := zw.Write(plain); err != nil {
		return "", fmt.Errorf("compressing %s: %w", key, err)
	}
	if err := zw.Close(); err != nil {
		return "", fmt.Errorf("compressing %s: %w", key, err)
	}
	out := base64.StdEncoding.EncodeToString(buf.Bytes())
	if len(out) > MaxValueBytes {
		return "", &FieldError{Field: key, Err: fmt.Errorf("%w: %d bytes once encoded (%d plain), at most %d",
			ErrTooLarge, len(out), len(plain), MaxValueBytes)}
	}
	return out, nil
}

// encodeKeys builds the guestinfo map from plain documents; an empty
// document leaves its keys out.
func encodeKeys(metadata, userdata, vendordata []byte) (map[string]string, error) {
	keys := map[string]string{}
	for _, d := range []struct {
		key, enc string
		data     []byte
	}{
		{KeyMetadata, KeyMetadataEncoding, metadata},
		{KeyUserData, KeyUserDataEncoding, userdata},
		{KeyVendorData, KeyVendorDataEncoding, vendordata},
	} {
		if len(d.data) == 0 {
			continue
		}
		v, err := encodeValue(d.key, d.data)
		if err != nil {
			return nil, err
		}
		keys[d.key], keys[d.enc] = v, EncodingGzipBase64
	}
	return keys, nil
}

// ForExtraConfig returns keys plus an empty value for every managed key that
// keys lacks. On ESXi, setting an extraConfig key to "" removes it, so the
// result, applied to a cloned or restored VM, also clears stale keys (such
// as a source's vendordata) that would otherwise survive.
func ForExtraConfig(keys map[string]string) map[string]string {
	out := make(map[string]string, len(ManagedKeys))
	for _, k := range ManagedKeys {
		out[k] = ""
	}
	for k, v := range keys {
		out[k] = v
	}
	return out
}
