package preauth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"

	"github.com/lambda-triggers/cognito/triggers"
)

// DefaultAddressKey is the validation data or client metadata key that [AllowNetworks]
// and [DenyNetworks] read the client's IP address from, unless [AddressKey] or
// [AddressFunc] says otherwise.
const DefaultAddressKey = "ipAddress"

// AddressKey is an option of [AllowNetworks] and [DenyNetworks] that reads the client's
// address from name in the validation data, or else the client metadata.
func AddressKey(name string) Option {
	return Option{name: "AddressKey", apply: func(o *options) error {
		if strings.TrimSpace(name) == "" {
			return errors.New("AddressKey: empty key")
		}
		o.address = func(e *Event) string { return requestValue(e, name) }
		return nil
	}}
}

// AddressFunc is an option of [AllowNetworks] and [DenyNetworks] that takes the
// client's address from f; an empty result means the event carries none.
func AddressFunc(f func(e *Event) string) Option {
	return Option{name: "AddressFunc", apply: func(o *options) error {
		if f == nil {
			return errors.New("AddressFunc: nil function")
		}
		o.address = f
		return nil
	}}
}

// AllowNetworks lets sign-ins through only from the given networks: CIDR prefixes
// ("10.0.0.0/8", "2001:db8::/32") or single addresses, IPv4 and IPv6. A sign-in without
// an address, or with one that does not parse, is refused too, with
// [DefaultNetworkMessage] unless [Message] says otherwise.
//
// Cognito's pre authentication event carries no client address of its own: the address
// comes from the app, in the ClientMetadata it passes to InitiateAuth or
// AdminInitiateAuth, which reaches the trigger as validation data. It is therefore only
// as trustworthy as the app that sends it. A browser or mobile app that calls Cognito
// directly can send any address it likes; have your own server, which sees the
// client's address, call AdminInitiateAuth and set it. The key is [DefaultAddressKey]
// unless [AddressKey] or [AddressFunc] says otherwise. IPv4-mapped IPv6 addresses
// ("::ffff:10.1.2.3") count as their IPv4 address, and zones are ignored.
//
// An empty list, or an entry that is neither a prefix nor an address, is reported here.
func AllowNetworks(networks []string, opts ...Option) (Handler, error) {
	return newNetworks("AllowNetworks", networks, true, opts)
}

// DenyNetworks refuses sign-ins from the given networks, written as for
// [AllowNetworks], and lets every other sign-in through, including one without an
// address or with one that does not parse: a client that leaves its address out
// escapes a deny list, which is why the address must come from a server you run.
func DenyNetworks(networks []string, opts ...Option) (Handler, error) {
	return newNetworks("DenyNetworks", networks, false, opts)
}

func newNetworks(module string, networks []string, allow bool, opts []Option) (Handler, error) {
	cfg, err := build("preauth."+module, options{message: DefaultNetworkMessage,
		address: func(e *Event) string { return requestValue(e, DefaultAddressKey) }}, opts, "AddressKey", "AddressFunc")
	if err != nil {
		return nil, err
	}
	prefixes, err := ParseNetworks(networks)
	if err != nil {
		return nil, fmt.Errorf("preauth.%s: %w", module, err)
	}
	if len(prefixes) == 0 {
		return nil, fmt.Errorf("preauth.%s: no networks", module)
	}
	return func(ctx context.Context, e *Event) error {
		if e.TriggerSource != Authentication {
			return nil
		}
		addr, ok := parseAddr(cfg.address(e))
		if inList := ok && contains(prefixes, addr); inList == allow {
			return nil
		}
		triggers.Logger(ctx).LogAttrs(ctx, slog.LevelInfo, "sign-in refused from this network",
			slog.String("module", module), slog.String("userName", e.UserName), slog.Bool("hasAddress", ok))
		return triggers.Reject(cfg.message)
	}, nil
}

// ParseNetworks parses CIDR prefixes and single addresses (as /32 or /128) as
// [AllowNetworks] reads them, masking the host bits ("10.1.2.3/8" is 10.0.0.0/8).
// Blank entries are skipped.
func ParseNetworks(networks []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range networks {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if strings.Contains(s, "/") {
			p, err := netip.ParsePrefix(s)
			if err != nil {
				return nil, fmt.Errorf("invalid network %q: %w", s, err)
			}
			if p.Addr().Is4In6() && p.Bits() >= 96 {
				p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
			}
			out = append(out, p.Masked())
			continue
		}
		a, ok := parseAddr(s)
		if !ok {
			return nil, fmt.Errorf("invalid network %q: neither a CIDR prefix nor an IP address", s)
		}
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

func parseAddr(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil {
		return netip.Addr{}, false
	}
	return a.WithZone("").Unmap(), true
}

func contains(prefixes []netip.Prefix, a netip.Addr) bool {
	for _, p := range prefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
