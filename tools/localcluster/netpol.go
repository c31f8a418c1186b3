package main

// `localcluster netpol`: the real node's NetworkPolicy enforcement. Informers on pods, namespaces
// and NetworkPolicies feed the pure compiler (netpol_compile.go); each change of what it compiles
// is written with one iptables-restore, and the jumps from FORWARD and INPUT are kept first.
// Chains stay in place while the controller is down (enforcement does not lapse on a restart);
// `--cleanup` removes them (the stack does so on `stack down`).

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	v1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/hostplane/hostplane/tools/localcluster/netpol"
)

type npStatus struct {
	Syncs           int    `json:"syncs"`
	Writes          int    `json:"writes"`
	LastSync        string `json:"lastSync"`
	LastWriteMillis int64  `json:"lastWriteMillis"`
	Chains          int    `json:"chains"`
	Rules           int    `json:"rules"`
	IngressIsolated int    `json:"ingressIsolated"`
	EgressIsolated  int    `json:"egressIsolated"`
	LastError       string `json:"lastError,omitempty"`
}

func runNetpol() int {
	fs := flag.NewFlagSet("netpol", flag.ExitOnError)
	kubeconfig := fs.String("kubeconfig", "", "kubeconfig of the controller (reads pods, namespaces, networkpolicies)")
	nodeName := fs.String("node-name", "", "the node whose pods are enforced")
	healthz := fs.String("healthz-bind-address", "127.0.0.1:20265", "address of /healthz and /status")
	resync := fs.Duration("resync", 30*time.Second, "full re-check of the rules and the jumps")
	cleanup := fs.Bool("cleanup", false, "remove the chains and jumps, then exit")
	_ = fs.Parse(os.Args[1:])
	log.SetFlags(log.LstdFlags | log.Lmicroseconds)
	log.SetPrefix("netpol ")

	if *cleanup {
		if err := npCleanup(); err != nil {
			log.Printf("cleanup: %v", err)
			return 1
		}
		return 0
	}
	if *kubeconfig == "" || *nodeName == "" {
		fmt.Fprintln(os.Stderr, "netpol: --kubeconfig and --node-name are required")
		return 2
	}
	config, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		log.Printf("kubeconfig: %v", err)
		return 1
	}
	client, err := kubernetes.NewForConfig(config)
	if err != nil {
		log.Printf("client: %v", err)
		return 1
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	factory := informers.NewSharedInformerFactory(client, 0)
	pods := factory.Core().V1().Pods()
	namespaces := factory.Core().V1().Namespaces()
	policies := factory.Networking().V1().NetworkPolicies()
	kick := make(chan struct{}, 1)
	notify := func() {
		select {
		case kick <- struct{}{}:
		default:
		}
	}
	handler := cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { notify() },
		UpdateFunc: func(any, any) { notify() },
		DeleteFunc: func(any) { notify() },
	}
	for _, inf := range []cache.SharedIndexInformer{pods.Informer(), namespaces.Informer(), policies.Informer()} {
		if _, err := inf.AddEventHandler(handler); err != nil {
			log.Printf("informer: %v", err)
			return 1
		}
	}
	factory.Start(ctx.Done())
	for typ, ok := range factory.WaitForCacheSync(ctx.Done()) {
		if !ok {
			log.Printf("cache of %v did not sync", typ)
			return 1
		}
	}

	var mu sync.Mutex
	status := npStatus{}
	go npServeHealth(*healthz, func() (npStatus, bool) {
		mu.Lock()
		defer mu.Unlock()
		return status, status.Syncs > 0 && status.LastError == ""
	})

	lastApplied := ""
	ticker := time.NewTicker(*resync)
	defer ticker.Stop()
	for {
		started := time.Now()
		state, err := npReadState(*nodeName, pods.Lister().List, namespaces.Lister().List, policies.Lister().List)
		var rs netpol.Ruleset
		wrote := false
		if err == nil {
			rs = netpol.Compile(state)
			wrote, err = npApply(rs, &lastApplied)
		}
		mu.Lock()
		status.Syncs++
		status.LastSync = time.Now().UTC().Format(time.RFC3339Nano)
		if err != nil {
			status.LastError = err.Error()
			log.Printf("sync failed: %v", err)
		} else {
			status.LastError = ""
			status.Chains, status.Rules = len(rs.Chains), 0
			for _, lines := range rs.Rules {
				status.Rules += len(lines)
			}
			status.IngressIsolated, status.EgressIsolated = rs.IngressIsolated, rs.EgressIsolated
			if wrote {
				status.Writes++
				status.LastWriteMillis = time.Since(started).Milliseconds()
				log.Printf("applied: %d chains, %d rules, %d pods ingress-isolated, %d egress-isolated, %d ms",
					status.Chains, status.Rules, rs.IngressIsolated, rs.EgressIsolated, status.LastWriteMillis)
				for _, w := range rs.Warnings {
					log.Printf("warning: %s", w)
				}
			}
		}
		mu.Unlock()
		select {
		case <-ctx.Done():
			// The rules stay: a restarting controller must not open the node.
			return 0
		case <-kick:
			// Coalesce a burst of events (a namespace with its pods and policies) into one write.
			time.Sleep(50 * time.Millisecond)
			select {
			case <-kick:
			default:
			}
		case <-ticker.C:
			lastApplied = "" // re-write and re-check the jumps, whatever changed behind our back
		}
	}
}

func npReadState(
	nodeName string,
	listPods func(labels.Selector) ([]*v1.Pod, error),
	listNamespaces func(labels.Selector) ([]*v1.Namespace, error),
	listPolicies func(labels.Selector) ([]*networkingv1.NetworkPolicy, error),
) (netpol.State, error) {
	state := netpol.State{NodeName: nodeName, Namespaces: map[string]map[string]string{}}
	pods, err := listPods(labels.Everything())
	if err != nil {
		return state, err
	}
	for _, p := range pods {
		if pod, ok := netpol.PodFromAPI(p); ok {
			state.Pods = append(state.Pods, pod)
		}
	}
	nss, err := listNamespaces(labels.Everything())
	if err != nil {
		return state, err
	}
	for _, ns := range nss {
		state.Namespaces[ns.Name] = ns.Labels
	}
	pols, err := listPolicies(labels.Everything())
	if err != nil {
		return state, err
	}
	for _, p := range pols {
		state.Policies = append(state.Policies, *p)
	}
	return state, nil
}

func npIptables(stdin string, args ...string) (string, error) {
	cmd := exec.Command(args[0], args[1:]...)
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("%s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(errOut.String()))
	}
	return out.String(), nil
}

// npApply writes the ruleset when it differs from the last one written, then makes sure the jumps
// are the first rules of FORWARD and INPUT. It reports whether it wrote.
func npApply(rs netpol.Ruleset, lastApplied *string) (bool, error) {
	save, err := npIptables("", "iptables-save", "-t", "filter")
	if err != nil {
		return false, err
	}
	payload := netpol.Restore(rs, netpol.ChainsOf(save))
	wrote := false
	if payload != *lastApplied {
		if _, err := npIptables(payload, "iptables-restore", "-w", "5", "--noflush"); err != nil {
			return false, err
		}
		*lastApplied = payload
		wrote = true
	}
	for parent, chain := range map[string]string{"FORWARD": netpol.ForwardChain, "INPUT": netpol.InputChain} {
		if err := npEnsureFirst(parent, chain); err != nil {
			return wrote, err
		}
	}
	return wrote, nil
}

// npEnsureFirst keeps `-j chain` the first rule of parent (kube-proxy's KUBE-FORWARD accepts
// masquerade-marked packets, which must not skip the policy).
func npEnsureFirst(parent, chain string) error {
	out, err := npIptables("", "iptables", "-w", "5", "-S", parent)
	if err != nil {
		return err
	}
	jump := fmt.Sprintf("-A %s -j %s", parent, chain)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	// lines[0] is the policy (-P FORWARD ACCEPT), lines[1] the first rule.
	if len(lines) > 1 && lines[1] == jump {
		count := 0
		for _, l := range lines {
			if l == jump {
				count++
			}
		}
		if count == 1 {
			return nil
		}
	}
	for {
		if _, err := npIptables("", "iptables", "-w", "5", "-D", parent, "-j", chain); err != nil {
			break
		}
	}
	_, err = npIptables("", "iptables", "-w", "5", "-I", parent, "1", "-j", chain)
	return err
}

func npCleanup() error {
	for _, parent := range []string{"FORWARD", "INPUT"} {
		chain := netpol.ForwardChain
		if parent == "INPUT" {
			chain = netpol.InputChain
		}
		for {
			if _, err := npIptables("", "iptables", "-w", "5", "-D", parent, "-j", chain); err != nil {
				break
			}
		}
	}
	save, err := npIptables("", "iptables-save", "-t", "filter")
	if err != nil {
		return err
	}
	payload := netpol.Restore(netpol.Ruleset{}, netpol.ChainsOf(save))
	_, err = npIptables(payload, "iptables-restore", "-w", "5", "--noflush")
	return err
}

func npServeHealth(addr string, read func() (npStatus, bool)) {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		if _, ok := read(); !ok {
			http.Error(w, "not synced", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok"))
	})
	mux.HandleFunc("/status", func(w http.ResponseWriter, _ *http.Request) {
		s, _ := read()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(s)
	})
	server := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	if err := server.ListenAndServe(); err != nil {
		log.Printf("healthz: %v", err)
		os.Exit(1)
	}
}
