package netpol

import (
	"strings"
	"testing"

	v1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

const testNode = "node-a"

func pod(ns, name, ip string, lbl map[string]string, ports ...NamedPort) Pod {
	return Pod{Namespace: ns, Name: name, NodeName: testNode, IP: ip, Labels: lbl, Ports: ports}
}

func policy(ns, name string, spec networkingv1.NetworkPolicySpec) networkingv1.NetworkPolicy {
	return networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: spec}
}

func types(t ...networkingv1.PolicyType) []networkingv1.PolicyType { return t }

var (
	tcp = v1.ProtocolTCP
	udp = v1.ProtocolUDP
)

func portNum(n int) *intstr.IntOrString     { p := intstr.FromInt32(int32(n)); return &p }
func portName(s string) *intstr.IntOrString { p := intstr.FromString(s); return &p }

func baseState(policies ...networkingv1.NetworkPolicy) State {
	return State{
		NodeName: testNode,
		Namespaces: map[string]map[string]string{
			"cust-a":         {"kubernetes.io/metadata.name": "cust-a", "tenant": "true"},
			"cust-b":         {"kubernetes.io/metadata.name": "cust-b", "tenant": "true"},
			"ingress-system": {"kubernetes.io/metadata.name": "ingress-system"},
		},
		Pods: []Pod{
			pod("cust-a", "web", "10.88.0.2", map[string]string{"c": "web"}, NamedPort{"http", "TCP", 8080}),
			pod("cust-a", "db", "10.88.0.3", map[string]string{"c": "database"}),
			pod("cust-b", "web", "10.88.0.4", map[string]string{"c": "web"}, NamedPort{"http", "TCP", 9090}),
			pod("ingress-system", "traefik", "10.88.0.5", map[string]string{"app": "traefik"}),
			{Namespace: "cust-a", Name: "elsewhere", NodeName: "other", IP: "10.88.0.9", Labels: map[string]string{"c": "web"}},
		},
		Policies: policies,
	}
}

// flatten follows the jumps from a pod chain and lists the leaf matches it allows, for assertions
// that do not depend on the hashed chain names.
func flatten(rs Ruleset, chain string, prefix string) []string {
	var out []string
	for _, line := range rs.Rules[chain] {
		idx := strings.Index(line, "-j ")
		target := strings.Fields(line[idx+3:])[0]
		match := strings.TrimSpace(line[:idx])
		if _, ok := rs.Rules[target]; ok {
			p := strings.TrimSpace(prefix + " " + match)
			out = append(out, flatten(rs, target, p)...)
			continue
		}
		out = append(out, strings.TrimSpace(prefix+" "+match+" "+line[idx:]))
	}
	return out
}

func podChainOf(t *testing.T, rs Ruleset, top, flag, ip string) string {
	t.Helper()
	for _, line := range rs.Rules[top] {
		if strings.HasPrefix(line, flag+" "+ip+"/32 ") {
			f := strings.Fields(line)
			return f[len(f)-1]
		}
	}
	return ""
}

func TestNoPolicyNoIsolation(t *testing.T) {
	rs := Compile(baseState())
	if rs.IngressIsolated != 0 || rs.EgressIsolated != 0 {
		t.Fatalf("isolated %d/%d", rs.IngressIsolated, rs.EgressIsolated)
	}
	want := []string{
		"-m conntrack --ctstate RELATED,ESTABLISHED -j RETURN",
		"-j MARK --set-xmark 0x0/0x100000",
		"-j MARK --set-xmark 0x0/0x100000",
	}
	if strings.Join(rs.Rules[ForwardChain], "\n") != strings.Join(want, "\n") {
		t.Fatalf("forward chain: %q", rs.Rules[ForwardChain])
	}
}

func TestDefaultDenyByPolicyTypes(t *testing.T) {
	rs := Compile(baseState(policy("cust-a", "deny", networkingv1.NetworkPolicySpec{
		PolicyTypes: types(networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress),
	})))
	if rs.IngressIsolated != 2 || rs.EgressIsolated != 2 {
		t.Fatalf("isolated in=%d out=%d, want 2/2 (the pod on another node is not enforced here)", rs.IngressIsolated, rs.EgressIsolated)
	}
	chain := podChainOf(t, rs, ForwardChain, "-d", "10.88.0.2")
	if got := rs.Rules[chain]; len(got) != 2 || got[1] != "-j DROP" {
		t.Fatalf("default deny chain: %q", got)
	}
	// Egress is enforced toward the node too (INPUT).
	if podChainOf(t, rs, InputChain, "-s", "10.88.0.2") == "" {
		t.Fatal("no INPUT egress jump")
	}
	// Ingress-only policy: egress stays open.
	rs = Compile(baseState(policy("cust-a", "deny-in", networkingv1.NetworkPolicySpec{
		PolicyTypes: types(networkingv1.PolicyTypeIngress),
	})))
	if rs.IngressIsolated != 2 || rs.EgressIsolated != 0 {
		t.Fatalf("in=%d out=%d", rs.IngressIsolated, rs.EgressIsolated)
	}
	// No policyTypes: Ingress, plus Egress when egress rules exist.
	rs = Compile(baseState(policy("cust-a", "implicit", networkingv1.NetworkPolicySpec{
		Egress: []networkingv1.NetworkPolicyEgressRule{{}},
	})))
	if rs.IngressIsolated != 2 || rs.EgressIsolated != 2 {
		t.Fatalf("in=%d out=%d", rs.IngressIsolated, rs.EgressIsolated)
	}
}

func TestPodAndNamespaceSelectors(t *testing.T) {
	rs := Compile(baseState(
		policy("cust-a", "same-ns", networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{"c": "database"}},
			PolicyTypes: types(networkingv1.PolicyTypeIngress),
			Ingress: []networkingv1.NetworkPolicyIngressRule{{
				From: []networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{}}},
			}},
		}),
		policy("cust-a", "from-ingress", networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{"c": "web"}},
			PolicyTypes: types(networkingv1.PolicyTypeIngress),
			Ingress: []networkingv1.NetworkPolicyIngressRule{{
				From: []networkingv1.NetworkPolicyPeer{{
					NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/metadata.name": "ingress-system"}},
					PodSelector:       &metav1.LabelSelector{MatchLabels: map[string]string{"app": "traefik"}},
				}},
				Ports: []networkingv1.NetworkPolicyPort{{Protocol: &tcp, Port: portName("http")}},
			}},
		}),
		policy("cust-b", "tenants", networkingv1.NetworkPolicySpec{
			PolicyTypes: types(networkingv1.PolicyTypeIngress),
			Ingress: []networkingv1.NetworkPolicyIngressRule{{
				From: []networkingv1.NetworkPolicyPeer{{
					NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"tenant": "true"}},
				}},
			}},
		}),
	))
	db := flatten(rs, podChainOf(t, rs, ForwardChain, "-d", "10.88.0.3"), "")
	// Pods of cust-a only (the pod on another node is still a peer), then the default deny.
	wantDB := []string{
		"-s 10.88.0.2/32 -j MARK --set-xmark 0x100000/0x100000",
		"-s 10.88.0.3/32 -j MARK --set-xmark 0x100000/0x100000",
		"-s 10.88.0.9/32 -j MARK --set-xmark 0x100000/0x100000",
		"-m mark --mark 0x100000/0x100000 -j RETURN",
		"-j DROP",
	}
	if strings.Join(db, "\n") != strings.Join(wantDB, "\n") {
		t.Fatalf("db ingress:\n%s", strings.Join(db, "\n"))
	}
	// Combined selector + named port resolved against the selected pod's own container port.
	web := flatten(rs, podChainOf(t, rs, ForwardChain, "-d", "10.88.0.2"), "")
	if web[0] != "-p tcp -m tcp --dport 8080 -s 10.88.0.5/32 -j MARK --set-xmark 0x100000/0x100000" {
		t.Fatalf("web ingress: %q", web)
	}
	// namespaceSelector alone: every pod of every tenant namespace.
	b := flatten(rs, podChainOf(t, rs, ForwardChain, "-d", "10.88.0.4"), "")
	if len(b) != 6 || !strings.HasPrefix(b[3], "-s 10.88.0.9/32") {
		t.Fatalf("cust-b ingress: %q", b)
	}
}

func TestIPBlockExceptAndPorts(t *testing.T) {
	end := int32(24)
	rs := Compile(baseState(policy("cust-a", "internet", networkingv1.NetworkPolicySpec{
		PolicyTypes: types(networkingv1.PolicyTypeEgress),
		Egress: []networkingv1.NetworkPolicyEgressRule{{
			To: []networkingv1.NetworkPolicyPeer{
				{IPBlock: &networkingv1.IPBlock{CIDR: "0.0.0.0/0", Except: []string{"10.0.0.0/8", "169.254.0.0/16"}}},
				{IPBlock: &networkingv1.IPBlock{CIDR: "::/0", Except: []string{"fc00::/7"}}},
			},
			Ports: []networkingv1.NetworkPolicyPort{
				{Protocol: &tcp, Port: portNum(1), EndPort: &end},
				{Protocol: &udp},
				{Port: portNum(443)},
				{Protocol: &tcp, Port: portName("http")},
			},
		}},
	})))
	got := flatten(rs, podChainOf(t, rs, ForwardChain, "-s", "10.88.0.2"), "")
	want := []string{
		"-p tcp -m tcp --dport 1:24 -d 10.0.0.0/8 -j RETURN",
		"-p tcp -m tcp --dport 1:24 -d 169.254.0.0/16 -j RETURN",
		"-p tcp -m tcp --dport 1:24 -d 0.0.0.0/0 -j MARK --set-xmark 0x100000/0x100000",
		"-p udp -d 10.0.0.0/8 -j RETURN",
		"-p udp -d 169.254.0.0/16 -j RETURN",
		"-p udp -d 0.0.0.0/0 -j MARK --set-xmark 0x100000/0x100000",
		"-p tcp -m tcp --dport 443 -d 10.0.0.0/8 -j RETURN",
		"-p tcp -m tcp --dport 443 -d 169.254.0.0/16 -j RETURN",
		"-p tcp -m tcp --dport 443 -d 0.0.0.0/0 -j MARK --set-xmark 0x100000/0x100000",
		"-m mark --mark 0x100000/0x100000 -j RETURN",
		"-j DROP",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("egress:\n%s", strings.Join(got, "\n"))
	}
	if len(rs.Warnings) != 1 || !strings.Contains(rs.Warnings[0], "named port \"http\" in an egress rule") {
		t.Fatalf("warnings: %q", rs.Warnings)
	}
}

func TestHostNetworkPodsArePeersNotTargets(t *testing.T) {
	state := baseState(policy("cust-a", "dns", networkingv1.NetworkPolicySpec{
		PolicyTypes: types(networkingv1.PolicyTypeEgress),
		Egress: []networkingv1.NetworkPolicyEgressRule{{
			To: []networkingv1.NetworkPolicyPeer{{
				NamespaceSelector: &metav1.LabelSelector{},
				PodSelector:       &metav1.LabelSelector{MatchLabels: map[string]string{"k8s-app": "kube-dns"}},
			}},
			Ports: []networkingv1.NetworkPolicyPort{{Protocol: &udp, Port: portNum(53)}},
		}},
	}))
	state.Namespaces["kube-system"] = map[string]string{}
	state.Pods = append(state.Pods, Pod{Namespace: "kube-system", Name: "coredns", NodeName: testNode, IP: "10.88.0.1", Labels: map[string]string{"k8s-app": "kube-dns"}, HostNetwork: true})
	rs := Compile(state)
	got := flatten(rs, podChainOf(t, rs, ForwardChain, "-s", "10.88.0.2"), "")
	if got[0] != "-p udp -m udp --dport 53 -d 10.88.0.1/32 -j MARK --set-xmark 0x100000/0x100000" {
		t.Fatalf("egress to the host-network DNS pod: %q", got)
	}
	if podChainOf(t, rs, ForwardChain, "-d", "10.88.0.1") != "" || podChainOf(t, rs, InputChain, "-s", "10.88.0.1") != "" {
		t.Fatal("a host-network pod (the node's address) must never be a target")
	}
}

func TestRuleMatchingNothingStaysDenied(t *testing.T) {
	rs := Compile(baseState(policy("cust-a", "none", networkingv1.NetworkPolicySpec{
		PolicyTypes: types(networkingv1.PolicyTypeIngress),
		Ingress: []networkingv1.NetworkPolicyIngressRule{{
			From: []networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"c": "nobody"}}}},
		}, {
			Ports: []networkingv1.NetworkPolicyPort{{Port: portName("missing")}},
		}},
	})))
	chain := podChainOf(t, rs, ForwardChain, "-d", "10.88.0.2")
	if got := rs.Rules[chain]; len(got) != 2 || got[1] != "-j DROP" {
		t.Fatalf("chain: %q", got)
	}
}

func TestDeterministicAndStaleChainsRemoved(t *testing.T) {
	p := policy("cust-a", "deny", networkingv1.NetworkPolicySpec{PolicyTypes: types(networkingv1.PolicyTypeIngress)})
	a := Restore(Compile(baseState(p)), nil)
	b := Restore(Compile(baseState(p)), nil)
	if a != b {
		t.Fatal("same state compiled twice differs")
	}
	out := Restore(Compile(baseState()), []string{"INPUT", "KUBE-FORWARD", "HP-I-OLD", ForwardChain})
	if !strings.Contains(out, ":HP-I-OLD - [0:0]\n") || !strings.Contains(out, "-X HP-I-OLD\n") {
		t.Fatalf("stale chain not flushed and removed:\n%s", out)
	}
	if strings.Contains(out, "KUBE-FORWARD") || strings.Contains(out, "-X "+ForwardChain) {
		t.Fatalf("touches chains that are not stale ours:\n%s", out)
	}
	if !strings.HasPrefix(out, "*filter\n") || !strings.HasSuffix(out, "COMMIT\n") {
		t.Fatalf("not a restore payload:\n%s", out)
	}
}

func TestPodFromAPI(t *testing.T) {
	p := &v1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "n", Name: "p", Labels: map[string]string{"a": "b"}},
		Spec: v1.PodSpec{NodeName: testNode, Containers: []v1.Container{{Ports: []v1.ContainerPort{
			{Name: "http", ContainerPort: 8080}, {ContainerPort: 9000},
		}}}},
		Status: v1.PodStatus{Phase: v1.PodRunning, PodIPs: []v1.PodIP{{IP: "fd00::1"}, {IP: "10.88.0.7"}}},
	}
	got, ok := PodFromAPI(p)
	if !ok || got.IP != "10.88.0.7" || len(got.Ports) != 1 || got.Ports[0] != (NamedPort{"http", "TCP", 8080}) {
		t.Fatalf("%+v %v", got, ok)
	}
	p.Spec.HostNetwork = true
	if got, ok := PodFromAPI(p); !ok || !got.HostNetwork {
		t.Fatal("host-network pods stay peers")
	}
	p.Spec.HostNetwork = false
	p.Status.Phase = v1.PodSucceeded
	if _, ok := PodFromAPI(p); ok {
		t.Fatal("finished pods hold no address")
	}
}
