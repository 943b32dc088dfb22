package cloudinit

import (
	"fmt"
	"net/netip"
	"strings"
)

// netplan v2 shapes, in the key names netplan uses. encoding/json sorts map
// keys, so the rendered metadata is stable.
type netplanConfig struct {
	Version   int                        `json:"version"`
	Ethernets map[string]netplanEthernet `json:"ethernets"`
}

type netplanEthernet struct {
	Match       *netplanMatch       `json:"match,omitempty"`
	DHCP4       bool                `json:"dhcp4,omitempty"`
	DHCP6       bool                `json:"dhcp6,omitempty"`
	Addresses   []string            `json:"addresses,omitempty"`
	Routes      []netplanRoute      `json:"routes,omitempty"`
	MTU         int                 `json:"mtu,omitempty"`
	Nameservers *netplanNameservers `json:"nameservers,omitempty"`
}

type netplanMatch struct {
	MACAddress string `json:"macaddress,omitempty"`
	Name       string `json:"name,omitempty"`
}

type netplanRoute struct {
	To     string `json:"to"`
	Via    string `json:"via"`
	Metric int    `json:"metric,omitempty"`
}

type netplanNameservers struct {
	Addresses []string `json:"addresses,omitempty"`
	Search    []string `json:"search,omitempty"`
}

// buildNetwork renders validated NICs as a netplan v2 config; nil when there
// are no NICs, so that cloud-init falls back to DHCP on the first adapter.
func buildNetwork(nics []NIC, adapters []string) *netplanConfig {
	if len(nics) == 0 {
		return nil
	}
	cfg := &netplanConfig{Version: 2, Ethernets: map[string]netplanEthernet{}}
	for i, n := range nics {
		id, eth := ethernetFor(i, n, adapters, len(nics))
		eth.DHCP4, eth.DHCP6, eth.MTU = n.DHCP4, n.DHCP6, n.MTU
		for _, a := range n.Addresses {
			p := netip.MustParsePrefix(strings.TrimSpace(a))
			eth.Addresses = append(eth.Addresses, p.String())
		}
		// Default routes are spelled as prefixes: cloud-init before 25.3
		// cannot parse "to: default" and fails the whole network config
		// (the deprecated gateway4/gateway6 keys are avoided too).
		if n.Gateway4 != "" {
			eth.Routes = append(eth.Routes, netplanRoute{To: "0.0.0.0/0", Via: canonAddr(n.Gateway4)})
		}
		if n.Gateway6 != "" {
			eth.Routes = append(eth.Routes, netplanRoute{To: "::/0", Via: canonAddr(n.Gateway6)})
		}
		for _, r := range n.Routes {
			to := netip.MustParsePrefix(strings.TrimSpace(r.To))
			eth.Routes = append(eth.Routes, netplanRoute{To: to.String(), Via: canonAddr(r.Via), Metric: r.Metric})
		}
		if len(n.DNS) > 0 || len(n.Search) > 0 {
			ns := &netplanNameservers{Search: n.Search}
			for _, d := range n.DNS {
				ns.Addresses = append(ns.Addresses, canonAddr(d))
			}
			eth.Nameservers = ns
		}
		cfg.Ethernets[id] = eth
	}
	return cfg
}

// ethernetFor chooses the netplan ID and match of NIC i: by MAC (given or
// from the VM's adapters), by exact name as the ID itself, or by name glob.
func ethernetFor(i int, n NIC, adapters []string, count int) (string, netplanEthernet) {
	id := fmt.Sprintf("nic%d", i)
	mac := n.MAC
	if mac == "" && n.Name == "" && i < len(adapters) {
		mac = adapters[i]
	}
	switch {
	case mac != "":
		m, _ := normalizeMAC(mac)
		return id, netplanEthernet{Match: &netplanMatch{MACAddress: m}}
	case n.Name != "" && !strings.ContainsAny(n.Name, "*?["):
		return n.Name, netplanEthernet{}
	case n.Name != "":
		return id, netplanEthernet{Match: &netplanMatch{Name: n.Name}}
	default: // the only NIC, nothing known about it
		return id, netplanEthernet{Match: &netplanMatch{Name: defaultNameGlob}}
	}
}

func canonAddr(s string) string {
	return netip.MustParseAddr(strings.TrimSpace(s)).String()
}

// parsePrefix returns the canonical form of a CIDR string.
func parsePrefix(s string) (string, error) {
	p, err := netip.ParsePrefix(strings.TrimSpace(s))
	if err != nil {
		return "", err
	}
	return p.String(), nil
}
