package preauth

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"

	"github.com/lambda-triggers/cognito/triggers"
)

// DefaultAddressKey is the validation data or client metadata key that [AllowNetworks]
// and [DenyNetworks] read the client's IP address from, unless
// [NetworksConfig.AddressKey] or [NetworksConfig.Address] says otherwise.
const DefaultAddressKey = "ipAddress"

// NetworksConfig configures [AllowNetworks] and [DenyNetworks].
type NetworksConfig struct {
	// Networks are CIDR prefixes ("10.0.0.0/8", "2001:db8::/32") or single addresses,
	// IPv4 and IPv6; blank entries are skipped. Required: at least one.
	Networks []string

	// AddressKey is the key the client's address is read from, in the validation data,
	// or else the client metadata. Empty: [DefaultAddressKey].
	AddressKey string

	// Address, instead of AddressKey, takes the client's address from the event; an
	// empty result means the event carries none. Nil: AddressKey is used.
	Address func(e *Event) string

	// Message is the text a refused user sees. Empty: [DefaultNetworkMessage].
	Message string
}

// AllowNetworks lets sign-ins through only from cfg.Networks. A sign-in without an
// address, or with one that does not parse, is refused too.
//
// Cognito's pre authentication event carries no client address of its own: the address
// comes from the app, in the ClientMetadata it passes to InitiateAuth or
// AdminInitiateAuth, which reaches the trigger as validation data. It is therefore only
// as trustworthy as the app that sends it. A browser or mobile app that calls Cognito
// directly can send any address it likes; have your own server, which sees the
// client's address, call AdminInitiateAuth and set it. IPv4-mapped IPv6 addresses
// ("::ffff:10.1.2.3") count as their IPv4 address, and zones are ignored.
//
// An empty list, an entry that is neither a prefix nor an address, a blank address key,
// both AddressKey and Address set, and a blank message are reported here.
func AllowNetworks(cfg NetworksConfig) (Handler, error) {
	return newNetworks("AllowNetworks", cfg, true)
}

// DenyNetworks refuses sign-ins from cfg.Networks, configured as for [AllowNetworks],
// and lets every other sign-in through, including one without an address or with one
// that does not parse: a client that leaves its address out escapes a deny list, which
// is why the address must come from a server you run.
func DenyNetworks(cfg NetworksConfig) (Handler, error) {
	return newNetworks("DenyNetworks", cfg, false)
}

func newNetworks(module string, cfg NetworksConfig, allow bool) (Handler, error) {
	msg, err := message(module, cfg.Message, DefaultNetworkMessage)
	if err != nil {
		return nil, err
	}
	address := cfg.Address
	switch {
	case address != nil && cfg.AddressKey != "":
		return nil, fmt.Errorf("preauth.%s: AddressKey and Address are both set: give one", module)
	case address != nil:
	case cfg.AddressKey != "" && strings.TrimSpace(cfg.AddressKey) == "":
		return nil, fmt.Errorf("preauth.%s: AddressKey is blank", module)
	default:
		key := cmp.Or(cfg.AddressKey, DefaultAddressKey)
		address = func(e *Event) string { return requestValue(e, key) }
	}
	prefixes, err := ParseNetworks(cfg.Networks)
	if err != nil {
		return nil, fmt.Errorf("preauth.%s: %w", module, err)
	}
	if len(prefixes) == 0 {
		return nil, fmt.Errorf("preauth.%s: Networks is empty", module)
	}
	return func(ctx context.Context, e *Event) error {
		if e.TriggerSource != Authentication {
			return nil
		}
		addr, ok := parseAddr(address(e))
		if inList := ok && contains(prefixes, addr); inList == allow {
			return nil
		}
		triggers.Logger(ctx).LogAttrs(ctx, slog.LevelInfo, "sign-in refused from this network",
			slog.String("module", module), slog.String("userName", e.UserName), slog.Bool("hasAddress", ok))
		return triggers.Reject(msg)
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
