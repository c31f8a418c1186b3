package netpol

// The NetworkPolicy rule compiler of `localcluster netpol` (pure: cluster state in, iptables-restore
// text out; tested in netpol_compile_test.go). docs/network-policy.md lists what it covers and refuses.
//
// Layout in the filter table (one atomic iptables-restore per change):
//
//	FORWARD -> HP-NETPOL-FORWARD   pod <-> pod, pod <-> outside (bridged traffic too, br_netfilter)
//	INPUT   -> HP-NETPOL-INPUT     pod -> the node's own addresses (egress only)
//
//	HP-NETPOL-FORWARD: established/related -> RETURN (replies are implicitly allowed)
//	                   clear the allow bit; -s <egress-isolated pod> -j HP-E-<rules>
//	                   clear the allow bit; -d <ingress-isolated pod> -j HP-I-<rules>
//	HP-E-/HP-I-<hash>: one jump per policy rule that selects the pod; RETURN when a rule set the
//	                   allow bit, else DROP (default deny for a pod any policy isolates)
//	HP-R-<hash>:       one policy rule: per port spec `-p proto --dport N[:M] -j HP-P-<peers>`
//	HP-P-<hash>:       the rule's peers: `-s/-d <pod ip> -j MARK` (allow bit), `-j HP-B-<ipBlock>`
//	HP-B-<hash>:       an ipBlock: `-s/-d <except> -j RETURN`, then `-s/-d <cidr> -j MARK`
//
// Chain names are hashes of their content, so pods with the same rules share chains and an unchanged
// cluster compiles to the same text (the controller then writes nothing).

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"

	v1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
)

const (
	ForwardChain = "HP-NETPOL-FORWARD"
	InputChain   = "HP-NETPOL-INPUT"
	ChainPrefix  = "HP-"
	// The allow bit: kube-proxy uses 0x4000 (masquerade) and 0x8000 (drop); this one is ours.
	AllowMark = "0x100000"
)

// NamedPort is a container port of a pod (the target of a named port in an ingress rule).
type NamedPort struct {
	Name     string
	Protocol string
	Port     int32
}

// Pod is what the compiler needs of a pod: where it is, its labels, its IPv4 address.
type Pod struct {
	Namespace string
	Name      string
	NodeName  string
	IP        string
	Labels    map[string]string
	Ports     []NamedPort
	// HostNetwork pods share the node's address: peers (by that address), never targets.
	HostNetwork bool
}

// State is the cluster as the informers see it.
type State struct {
	// Pods on this node are enforced; every pod is a possible peer.
	NodeName   string
	Pods       []Pod
	Namespaces map[string]map[string]string
	Policies   []networkingv1.NetworkPolicy
}

// Ruleset is the compiled result: chains in a stable order and their rules.
type Ruleset struct {
	Chains   []string
	Rules    map[string][]string
	Warnings []string
	// Pods isolated per direction (for the log line and the tests).
	IngressIsolated int
	EgressIsolated  int
}

type npDirection int

const (
	npIngress npDirection = iota
	npEgress
)

// PodFromAPI reduces a Pod to what the compiler needs; ok is false for pods that cannot be
// enforced or matched (no IPv4 address yet, finished). Host-network pods are kept as peers only: the
// local stack's CoreDNS is one, and the tenants' allow-dns policy selects it by its labels.
func PodFromAPI(p *v1.Pod) (Pod, bool) {
	if p.Status.Phase == v1.PodSucceeded || p.Status.Phase == v1.PodFailed {
		return Pod{}, false
	}
	ip := ""
	for _, podIP := range p.Status.PodIPs {
		if parsed := net.ParseIP(podIP.IP); parsed != nil && parsed.To4() != nil {
			ip = podIP.IP
			break
		}
	}
	if ip == "" {
		if parsed := net.ParseIP(p.Status.PodIP); parsed != nil && parsed.To4() != nil {
			ip = p.Status.PodIP
		}
	}
	if ip == "" {
		return Pod{}, false
	}
	pod := Pod{Namespace: p.Namespace, Name: p.Name, NodeName: p.Spec.NodeName, IP: ip, Labels: p.Labels, HostNetwork: p.Spec.HostNetwork}
	for _, c := range p.Spec.Containers {
		for _, port := range c.Ports {
			if port.Name == "" {
				continue
			}
			proto := string(port.Protocol)
			if proto == "" {
				proto = "TCP"
			}
			pod.Ports = append(pod.Ports, NamedPort{Name: port.Name, Protocol: proto, Port: port.ContainerPort})
		}
	}
	return pod, true
}

type npCompiler struct {
	state    State
	rules    map[string][]string
	warnings map[string]bool
}

func npHash(prefix string, lines []string) string {
	sum := sha256.Sum256([]byte(strings.Join(lines, "\n")))
	return ChainPrefix + prefix + "-" + strings.ToUpper(hex.EncodeToString(sum[:])[:16])
}

func (c *npCompiler) chain(prefix string, lines []string) string {
	name := npHash(prefix, lines)
	c.rules[name] = lines
	return name
}

func (c *npCompiler) warn(format string, args ...any) {
	c.warnings[fmt.Sprintf(format, args...)] = true
}

func npSelector(sel *metav1.LabelSelector) (labels.Selector, error) {
	if sel == nil {
		return labels.Everything(), nil
	}
	return metav1.LabelSelectorAsSelector(sel)
}

func npPolicyTypes(p *networkingv1.NetworkPolicy) (ingress, egress bool) {
	if len(p.Spec.PolicyTypes) == 0 {
		// The API server defaults policyTypes; an object without them: Ingress always, Egress when
		// it has egress rules (the documented defaulting).
		return true, len(p.Spec.Egress) > 0
	}
	for _, t := range p.Spec.PolicyTypes {
		switch t {
		case networkingv1.PolicyTypeIngress:
			ingress = true
		case networkingv1.PolicyTypeEgress:
			egress = true
		}
	}
	return ingress, egress
}

// npPeerMatch: `-s` for the source of ingress traffic, `-d` for the destination of egress traffic.
func npPeerFlag(dir npDirection) string {
	if dir == npIngress {
		return "-s"
	}
	return "-d"
}

func npIPv4CIDR(cidr string) (string, bool) {
	_, network, err := net.ParseCIDR(cidr)
	if err != nil || network.IP.To4() == nil {
		return "", false
	}
	return network.String(), true
}

// peers compiles a rule's peers into a chain that sets the allow bit; "" when nothing can match.
func (c *npCompiler) peers(policy *networkingv1.NetworkPolicy, dir npDirection, peers []networkingv1.NetworkPolicyPeer) string {
	flag := npPeerFlag(dir)
	mark := fmt.Sprintf("-j MARK --set-xmark %s/%s", AllowMark, AllowMark)
	if len(peers) == 0 {
		return c.chain("P", []string{mark})
	}
	ips := map[string]bool{}
	var blocks []string
	for _, peer := range peers {
		if peer.IPBlock != nil {
			cidr, ok := npIPv4CIDR(peer.IPBlock.CIDR)
			if !ok {
				continue // IPv6 (or invalid): the node is IPv4 only, nothing to match
			}
			var lines []string
			for _, except := range peer.IPBlock.Except {
				if e, ok := npIPv4CIDR(except); ok {
					lines = append(lines, fmt.Sprintf("%s %s -j RETURN", flag, e))
				}
			}
			lines = append(lines, fmt.Sprintf("%s %s %s", flag, cidr, mark))
			blocks = append(blocks, c.chain("B", lines))
			continue
		}
		podSel, err := npSelector(peer.PodSelector)
		if err != nil {
			c.warn("%s/%s: bad podSelector: %v (peer ignored)", policy.Namespace, policy.Name, err)
			continue
		}
		nsSel, err := npSelector(peer.NamespaceSelector)
		if err != nil {
			c.warn("%s/%s: bad namespaceSelector: %v (peer ignored)", policy.Namespace, policy.Name, err)
			continue
		}
		for _, pod := range c.state.Pods {
			if peer.NamespaceSelector == nil {
				if pod.Namespace != policy.Namespace {
					continue
				}
			} else if !nsSel.Matches(labels.Set(c.state.Namespaces[pod.Namespace])) {
				continue
			}
			if podSel.Matches(labels.Set(pod.Labels)) {
				ips[pod.IP] = true
			}
		}
	}
	if len(ips) == 0 && len(blocks) == 0 {
		return ""
	}
	sortedIPs := make([]string, 0, len(ips))
	for ip := range ips {
		sortedIPs = append(sortedIPs, ip)
	}
	sort.Slice(sortedIPs, func(i, j int) bool { return npIPLess(sortedIPs[i], sortedIPs[j]) })
	var lines []string
	for _, ip := range sortedIPs {
		lines = append(lines, fmt.Sprintf("%s %s/32 %s", flag, ip, mark))
	}
	sort.Strings(blocks)
	for _, b := range blocks {
		lines = append(lines, "-j "+b)
	}
	return c.chain("P", lines)
}

func npIPLess(a, b string) bool {
	pa, pb := net.ParseIP(a).To4(), net.ParseIP(b).To4()
	if pa == nil || pb == nil {
		return a < b
	}
	return string(pa) < string(pb)
}

// ports compiles a rule's ports into match fragments; nil means "all ports", an empty non-nil
// slice means nothing can match (every named port unresolved).
func (c *npCompiler) ports(policy *networkingv1.NetworkPolicy, dir npDirection, pod Pod, ports []networkingv1.NetworkPolicyPort) []string {
	if len(ports) == 0 {
		return nil
	}
	out := []string{}
	for _, p := range ports {
		proto := "TCP"
		if p.Protocol != nil {
			proto = string(*p.Protocol)
		}
		lower := strings.ToLower(proto)
		if p.Port == nil {
			out = append(out, fmt.Sprintf("-p %s", lower))
			continue
		}
		number := int32(0)
		if p.Port.Type == intstr.Int {
			number = p.Port.IntVal
		} else if n, err := strconv.Atoi(p.Port.StrVal); err == nil {
			number = int32(n)
		} else if dir == npEgress {
			// A named port of an egress rule names a port of the peer pods, which may differ per peer:
			// refused (matches nothing, fails closed) and said in the log.
			c.warn("%s/%s: named port %q in an egress rule is not supported (matches nothing)", policy.Namespace, policy.Name, p.Port.StrVal)
			continue
		} else {
			for _, named := range pod.Ports {
				if named.Name == p.Port.StrVal && named.Protocol == proto {
					number = named.Port
					break
				}
			}
			if number == 0 {
				continue // the pod has no such port: this entry matches nothing for it
			}
		}
		if p.EndPort != nil && p.Port.Type == intstr.Int && *p.EndPort >= number {
			out = append(out, fmt.Sprintf("-p %s -m %s --dport %d:%d", lower, lower, number, *p.EndPort))
		} else {
			out = append(out, fmt.Sprintf("-p %s -m %s --dport %d", lower, lower, number))
		}
	}
	return out
}

// rule compiles one ingress or egress rule of a policy, as it applies to one selected pod (named
// ports resolve against that pod); "" when the rule can match nothing.
func (c *npCompiler) rule(policy *networkingv1.NetworkPolicy, dir npDirection, pod Pod, peers []networkingv1.NetworkPolicyPeer, ports []networkingv1.NetworkPolicyPort) string {
	fragments := c.ports(policy, dir, pod, ports)
	if fragments != nil && len(fragments) == 0 {
		return ""
	}
	peerChain := c.peers(policy, dir, peers)
	if peerChain == "" {
		return ""
	}
	if fragments == nil {
		return c.chain("R", []string{"-j " + peerChain})
	}
	lines := make([]string, 0, len(fragments))
	for _, f := range fragments {
		lines = append(lines, fmt.Sprintf("%s -j %s", f, peerChain))
	}
	return c.chain("R", lines)
}

// podChain: the rules of every policy selecting the pod in one direction, then the default deny.
func (c *npCompiler) podChain(prefix string, ruleChains []string) string {
	lines := make([]string, 0, len(ruleChains)+2)
	for _, r := range ruleChains {
		lines = append(lines, "-j "+r)
	}
	lines = append(lines,
		fmt.Sprintf("-m mark --mark %s/%s -j RETURN", AllowMark, AllowMark),
		"-j DROP",
	)
	return c.chain(prefix, lines)
}

func Compile(state State) Ruleset {
	c := &npCompiler{state: state, rules: map[string][]string{}, warnings: map[string]bool{}}
	pods := append([]Pod(nil), state.Pods...)
	sort.Slice(pods, func(i, j int) bool {
		if pods[i].Namespace != pods[j].Namespace {
			return pods[i].Namespace < pods[j].Namespace
		}
		return pods[i].Name < pods[j].Name
	})
	c.state.Pods = pods
	policies := append([]networkingv1.NetworkPolicy(nil), state.Policies...)
	sort.Slice(policies, func(i, j int) bool {
		if policies[i].Namespace != policies[j].Namespace {
			return policies[i].Namespace < policies[j].Namespace
		}
		return policies[i].Name < policies[j].Name
	})

	clear := fmt.Sprintf("-j MARK --set-xmark 0x0/%s", AllowMark)
	established := "-m conntrack --ctstate RELATED,ESTABLISHED -j RETURN"
	forwardEgress, forwardIngress := []string{}, []string{}
	input := []string{established, clear}
	result := Ruleset{}
	seenIP := map[string]bool{}
	for _, pod := range pods {
		if pod.NodeName != state.NodeName || pod.HostNetwork || seenIP[pod.IP] {
			continue
		}
		seenIP[pod.IP] = true
		var ingressRules, egressRules []string
		isolatedIn, isolatedOut := false, false
		for i := range policies {
			policy := &policies[i]
			if policy.Namespace != pod.Namespace {
				continue
			}
			sel, err := metav1.LabelSelectorAsSelector(&policy.Spec.PodSelector)
			if err != nil {
				c.warn("%s/%s: bad podSelector: %v (policy ignored)", policy.Namespace, policy.Name, err)
				continue
			}
			if !sel.Matches(labels.Set(pod.Labels)) {
				continue
			}
			in, out := npPolicyTypes(policy)
			if in {
				isolatedIn = true
				for _, r := range policy.Spec.Ingress {
					if name := c.rule(policy, npIngress, pod, r.From, r.Ports); name != "" {
						ingressRules = append(ingressRules, name)
					}
				}
			}
			if out {
				isolatedOut = true
				for _, r := range policy.Spec.Egress {
					if name := c.rule(policy, npEgress, pod, r.To, r.Ports); name != "" {
						egressRules = append(egressRules, name)
					}
				}
			}
		}
		comment := fmt.Sprintf("-m comment --comment \"%s/%s\"", pod.Namespace, pod.Name)
		if isolatedOut {
			result.EgressIsolated++
			chain := c.podChain("E", egressRules)
			line := fmt.Sprintf("-s %s/32 %s -j %s", pod.IP, comment, chain)
			forwardEgress = append(forwardEgress, line)
			input = append(input, line)
		}
		if isolatedIn {
			result.IngressIsolated++
			chain := c.podChain("I", ingressRules)
			forwardIngress = append(forwardIngress, fmt.Sprintf("-d %s/32 %s -j %s", pod.IP, comment, chain))
		}
	}
	forward := append([]string{established, clear}, forwardEgress...)
	forward = append(forward, clear)
	forward = append(forward, forwardIngress...)
	c.rules[ForwardChain] = forward
	c.rules[InputChain] = input

	names := make([]string, 0, len(c.rules))
	for name := range c.rules {
		if name != ForwardChain && name != InputChain {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	result.Chains = append([]string{ForwardChain, InputChain}, names...)
	result.Rules = c.rules
	for w := range c.warnings {
		result.Warnings = append(result.Warnings, w)
	}
	sort.Strings(result.Warnings)
	return result
}

// npRestore is the iptables-restore (--noflush) input that makes the filter table's HP- chains
// exactly the ruleset: listed chains are flushed and refilled, chains of ours no longer needed go.
func Restore(rs Ruleset, existing []string) string {
	var b strings.Builder
	b.WriteString("*filter\n")
	wanted := map[string]bool{}
	for _, name := range rs.Chains {
		wanted[name] = true
		fmt.Fprintf(&b, ":%s - [0:0]\n", name)
	}
	var stale []string
	for _, name := range existing {
		if strings.HasPrefix(name, ChainPrefix) && !wanted[name] {
			stale = append(stale, name)
		}
	}
	sort.Strings(stale)
	for _, name := range stale {
		fmt.Fprintf(&b, ":%s - [0:0]\n", name)
	}
	for _, name := range rs.Chains {
		for _, line := range rs.Rules[name] {
			fmt.Fprintf(&b, "-A %s %s\n", name, line)
		}
	}
	for _, name := range stale {
		fmt.Fprintf(&b, "-X %s\n", name)
	}
	b.WriteString("COMMIT\n")
	return b.String()
}

// npChainsOf lists the chains of `iptables-save -t filter` output.
func ChainsOf(save string) []string {
	var chains []string
	for _, line := range strings.Split(save, "\n") {
		if strings.HasPrefix(line, ":") {
			if fields := strings.Fields(line[1:]); len(fields) > 0 {
				chains = append(chains, fields[0])
			}
		}
	}
	return chains
}
