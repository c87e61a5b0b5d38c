// Package action tests the GitHub Action at the repository's root (action.yml and the scripts
// beside this file): its steps run as GitHub runs a composite action's steps.
package action

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/mock"
)

// actionFile is action.yml as far as a composite action goes.
type actionFile struct {
	Name   string `yaml:"name"`
	Inputs map[string]struct {
		Default  string `yaml:"default"`
		Required bool   `yaml:"required"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Value string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string `yaml:"using"`
		Steps []step `yaml:"steps"`
	} `yaml:"runs"`
}

type step struct {
	ID    string            `yaml:"id"`
	Name  string            `yaml:"name"`
	If    string            `yaml:"if"`
	Uses  string            `yaml:"uses"`
	With  map[string]string `yaml:"with"`
	Shell string            `yaml:"shell"`
	Env   map[string]string `yaml:"env"`
	Run   string            `yaml:"run"`
}

func loadAction(t *testing.T) (actionFile, string) {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a actionFile
	if err := yaml.Unmarshal(b, &a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	return a, root
}

// The action's interface: its inputs, its outputs, a composite of bash steps.
func TestActionDeclaresItsInputsAndOutputs(t *testing.T) {
	a, _ := loadAction(t)
	if a.Runs.Using != "composite" {
		t.Fatalf("runs.using %q, want composite", a.Runs.Using)
	}
	for _, in := range []string{"target", "target-file", "strict", "label-filter", "allow-writes", "report-dir", "args"} {
		if _, ok := a.Inputs[in]; !ok {
			t.Errorf("action.yml has no input %q", in)
		}
	}
	for _, out := range []string{"verdict", "report-dir"} {
		if !strings.Contains(a.Outputs[out].Value, "steps.run.outputs."+out) {
			t.Errorf("output %q is %q, want the run step's", out, a.Outputs[out].Value)
		}
	}
	for _, s := range a.Runs.Steps {
		if s.Run != "" && s.Shell != "bash" {
			t.Errorf("step %q: shell %q; a composite step names its shell, and these are bash scripts", s.Name, s.Shell)
		}
		// An input in a script is a script injection: inputs reach the scripts as env values.
		if strings.Contains(s.Run, "${{") {
			t.Errorf("step %q puts an expression in its script (pass it through env:): %s", s.Name, s.Run)
		}
	}
}

// runner plays GitHub's part in running the action's steps.
type runner struct {
	t         *testing.T
	action    actionFile
	root      string // the action's checkout: GITHUB_ACTION_PATH
	workspace string // the job's working directory: GITHUB_WORKSPACE
	inputs    map[string]string
	env       []string // the workflow step's env: (tokens...), and GITHUB_* extras
	outputs   map[string]map[string]string
	summary   string // GITHUB_STEP_SUMMARY
	temp      string // RUNNER_TEMP
	// signal, if set, is called with the run step's process once it has started, and its output
	// so far; it may send that process signals.
	signal func(p *os.Process, out func() string)
}

func newRunner(t *testing.T, inputs map[string]string, env ...string) *runner {
	a, root := loadAction(t)
	for name := range inputs {
		if _, ok := a.Inputs[name]; !ok {
			t.Fatalf("action.yml has no input %q", name)
		}
	}
	d := t.TempDir()
	r := &runner{t: t, action: a, root: root, workspace: filepath.Join(d, "workspace"), inputs: inputs, env: env,
		outputs: map[string]map[string]string{}, summary: filepath.Join(d, "step_summary.md"), temp: filepath.Join(d, "runner_temp")}
	for _, dir := range []string{r.workspace, r.temp} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

var expression = regexp.MustCompile(`\$\{\{\s*(.*?)\s*\}\}`)

// value is what GitHub makes of one expression's operand.
func (r *runner) value(expr string) string {
	r.t.Helper()
	switch parts := strings.Split(expr, "."); {
	case len(parts) == 2 && parts[0] == "inputs":
		in, ok := r.action.Inputs[parts[1]]
		if !ok {
			r.t.Fatalf("action.yml refers to an undeclared input: %s", expr)
		}
		if v, ok := r.inputs[parts[1]]; ok {
			return v
		}
		return in.Default
	case expr == "github.action_path":
		return r.root
	case len(parts) == 4 && parts[0] == "steps" && parts[2] == "outputs":
		return r.outputs[parts[1]][parts[3]]
	case strings.HasPrefix(expr, "'") && strings.HasSuffix(expr, "'"):
		return strings.ReplaceAll(expr[1:len(expr)-1], "''", "'")
	}
	r.t.Fatalf("action.yml uses an expression this test does not know: %s", expr)
	return ""
}

// expand substitutes every ${{ ... }} in s, as GitHub does before a step runs.
func (r *runner) expand(s string) string {
	return expression.ReplaceAllStringFunc(s, func(m string) string {
		return r.value(expression.FindStringSubmatch(m)[1])
	})
}

// condition evaluates a step's if: (comparisons of operands with == and !=, GitHub's
// case-insensitive string comparison).
func (r *runner) condition(expr string) bool {
	r.t.Helper()
	expr = strings.TrimSpace(expr)
	if m := expression.FindStringSubmatch(expr); m != nil && m[0] == expr {
		expr = m[1]
	}
	if expr == "" {
		return true // success(): the steps before succeeded, or the run stopped
	}
	for _, op := range []string{"!=", "=="} {
		if a, b, ok := strings.Cut(expr, op); ok {
			eq := strings.EqualFold(r.value(strings.TrimSpace(a)), r.value(strings.TrimSpace(b)))
			return eq == (op == "==")
		}
	}
	r.t.Fatalf("a step condition this test does not know: %s", expr)
	return false
}

// readOutputs parses a GITHUB_OUTPUT file: name=value lines and name<<DELIMITER blocks.
func readOutputs(t *testing.T, path string) map[string]string {
	t.Helper()
	out := map[string]string{}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if name, delim, ok := strings.Cut(l, "<<"); ok && !strings.Contains(name, "=") {
			var v []string
			for i++; i < len(lines) && lines[i] != delim; i++ {
				v = append(v, lines[i])
			}
			out[name] = strings.Join(v, "\n")
		} else if name, v, ok := strings.Cut(l, "="); ok {
			out[name] = v
		}
	}
	return out
}

// hermetic is the test's environment without FAVCONFORM_ variables (a developer's target or
// tokens must not leak into a case) and with PATH as given.
func hermetic(path string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "FAVCONFORM_") || strings.HasPrefix(kv, "GITHUB_") || strings.HasPrefix(kv, "INPUT_") || strings.HasPrefix(kv, "RUNNER_") {
			continue
		}
		if strings.HasPrefix(kv, "PATH=") && path != "" {
			kv = "PATH=" + path
		}
		env = append(env, kv)
	}
	return env
}

// result is the outcome of running the action.
type result struct {
	code    int               // the exit code of the step that ended the run (0: every step succeeded)
	log     string            // every step's output
	outputs map[string]string // the action's outputs
	summary string            // what the steps wrote to GITHUB_STEP_SUMMARY
	skipped []string          // the names of the steps whose if: was false
}

// run runs the steps in order as GitHub runs a composite action: each step's expressions
// substituted, its if: evaluated, its script run by bash --noprofile --norc -eo pipefail with the
// step's env and GitHub's variables, a fresh GITHUB_OUTPUT per step, stopping at the first step
// that fails.
func (r *runner) run(path string) result {
	r.t.Helper()
	var res result
	var log bytes.Buffer
	for i, s := range r.action.Runs.Steps {
		if !r.condition(s.If) {
			res.skipped = append(res.skipped, s.Name)
			continue
		}
		if s.Uses != "" {
			r.t.Fatalf("step %q would run %s here (its condition %q holds): this machine would need it", s.Name, s.Uses, s.If)
		}
		script := filepath.Join(r.temp, fmt.Sprintf("step-%d.sh", i))
		if err := os.WriteFile(script, []byte(r.expand(s.Run)), 0o755); err != nil {
			r.t.Fatal(err)
		}
		outFile := filepath.Join(r.temp, fmt.Sprintf("output-%d", i))
		if err := os.WriteFile(outFile, nil, 0o644); err != nil {
			r.t.Fatal(err)
		}
		env := append(hermetic(path), "GITHUB_ACTIONS=true", "CI=true", "GITHUB_ACTION_PATH="+r.root, "GITHUB_WORKSPACE="+r.workspace,
			"GITHUB_OUTPUT="+outFile, "GITHUB_STEP_SUMMARY="+r.summary, "RUNNER_TEMP="+r.temp)
		env = append(env, r.env...)
		for k, v := range s.Env {
			env = append(env, k+"="+r.expand(v))
		}
		cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", script)
		cmd.Dir, cmd.Env = r.workspace, env
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // its own group, as a runner's step is
		var mu sync.Mutex
		w := lockedWriter{&mu, &log}
		cmd.Stdout, cmd.Stderr = w, w
		fmt.Fprintf(w, "::: step %s\n", s.Name)
		if err := cmd.Start(); err != nil {
			r.t.Fatal(err)
		}
		if r.signal != nil && s.ID == "run" {
			go r.signal(cmd.Process, func() string { mu.Lock(); defer mu.Unlock(); return log.String() })
		}
		err := cmd.Wait()
		if s.ID != "" {
			r.outputs[s.ID] = readOutputs(r.t, outFile)
		}
		if err != nil {
			ee, ok := err.(*exec.ExitError)
			if !ok {
				r.t.Fatal(err)
			}
			res.code = ee.ExitCode()
			break
		}
	}
	res.log = log.String()
	res.outputs = map[string]string{}
	for name, o := range r.action.Outputs {
		res.outputs[name] = r.expand(o.Value)
	}
	if b, err := os.ReadFile(r.summary); err == nil {
		res.summary = string(b)
	}
	return res
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// requireSummaryMD stops the test when favconform run --report-dir wrote no summary.md, which the
// job summary is made of.
func requireSummaryMD(t *testing.T, dir string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(dir, "summary.md")); err != nil {
		t.Fatalf("favconform run --report-dir wrote no summary.md (report.(*Report).WriteMarkdown), which the job summary is made of: %v", err)
	}
}

func skipShort(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs favconform through the action")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
}

// Against the embedded mock (no target): exit 0, verdict CONFORMING, and the job summary with the
// counts. A release tag of the action names the version.
func TestActionAgainstTheEmbeddedMock(t *testing.T) {
	skipShort(t)
	r := newRunner(t, nil, "GITHUB_ACTION_REF=v0.1.0")
	res := r.run("")
	if res.code != 0 {
		t.Fatalf("the action exited %d, want 0:\n%s", res.code, res.log)
	}
	if len(res.skipped) != 1 || !strings.Contains(res.skipped[0], "Go") {
		t.Errorf("with Go on PATH only the setup-go step is skipped, got %v", res.skipped)
	}
	dir := filepath.Join(r.workspace, "favconform-reports")
	if res.outputs["verdict"] != "CONFORMING" || res.outputs["report-dir"] != dir {
		t.Errorf("outputs %v, want verdict CONFORMING and report-dir %s", res.outputs, dir)
	}
	if !strings.Contains(res.log, "favconform v0.1.0\n") {
		t.Errorf("the action built from tag v0.1.0 must say so:\n%s", res.log)
	}
	for _, f := range []string{"junit.xml", "report.json", "report.html", "summary.md"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("the report directory lacks %s: %v", f, err)
		}
	}
	requireSummaryMD(t, dir)
	for _, want := range []string{"## favconform: ✅ CONFORMING", "| passed | ", "| failed | 0 | 0 |", "favconform `v0.1.0`"} {
		if !strings.Contains(res.summary, want) {
			t.Errorf("the job summary lacks %q:\n%s", want, res.summary)
		}
	}
}

// A deviating mock (the advanced args input) fails the step with exit 1, NOT CONFORMING, and the
// job summary names the root cause; the other inputs reach the command.
func TestActionAgainstADeviatingMock(t *testing.T) {
	skipShort(t)
	r := newRunner(t, map[string]string{"args": "--deviate revision-as-number  --timeout 5s", "report-dir": "out/reports", "label-filter": "req:schema.responses-match-spec", "strict": "true"})
	res := r.run("")
	if res.code != 1 {
		t.Fatalf("the action exited %d, want 1:\n%s", res.code, res.log)
	}
	if res.outputs["verdict"] != "NOT CONFORMING" || res.outputs["report-dir"] != filepath.Join(r.workspace, "out", "reports") {
		t.Errorf("outputs %v", res.outputs)
	}
	requireSummaryMD(t, res.outputs["report-dir"])
	for _, want := range []string{"## favconform: ❌ NOT CONFORMING", "### Failed requirements", "`schema.responses-match-spec`",
		"### Root causes", "`createUserFavoriteList response /favoriteList/revision: expected type string", "deviations: `revision-as-number`",
		"profile strict", "label filter `(req:schema.responses-match-spec)`"} {
		if !strings.Contains(res.summary, want) {
			t.Errorf("the job summary lacks %q:\n%s", want, res.summary)
		}
	}
	if !strings.Contains(res.log, "::error title=favconform::NOT CONFORMING (exit code 1)") {
		t.Errorf("no error annotation:\n%s", res.log)
	}
}

// What the run step makes of bad inputs, an unreachable target and a missing secret.
func TestActionExitCodes(t *testing.T) {
	skipShort(t)
	cases := []struct {
		name    string
		inputs  map[string]string
		env     []string
		code    int
		verdict string
		says    string
	}{
		{"an input that is not a boolean", map[string]string{"strict": "yes"}, nil, 2, "", "input strict must be 'true' or 'false', got 'yes'"},
		{"an unreachable target", map[string]string{"target": "http://127.0.0.1:9", "args": "--timeout 1s"}, []string{"FAVCONFORM_TOKEN_USER=tok-12345678"}, 3, "UNREACHABLE", "the target is unreachable"},
		{"a secret this run cannot see", map[string]string{"target": "https://staging.example"}, []string{"FAVCONFORM_TOKEN_USER="}, 2, "BAD CONFIGURATION", "set but empty"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := newRunner(t, c.inputs, c.env...).run("")
			if res.code != c.code || res.outputs["verdict"] != c.verdict {
				t.Fatalf("exit %d verdict %q, want %d %q:\n%s", res.code, res.outputs["verdict"], c.code, c.verdict, res.log)
			}
			if !strings.Contains(res.log+res.summary, c.says) {
				t.Fatalf("neither the log nor the job summary says %q:\n%s\n%s", c.says, res.log, res.summary)
			}
			if strings.Contains(res.log+res.summary, "tok-12345678") {
				t.Fatal("a token in the output")
			}
		})
	}
}

// Without Go on PATH the first step says so, and the setup-go step's condition holds.
func TestActionSetsUpGoWhenMissing(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not installed")
	}
	bin := t.TempDir() // a PATH with bash and the tools find-go.sh uses, but no go
	for _, tool := range []string{"sed", "sort", "head", "printf", "cat"} {
		if p, err := exec.LookPath(tool); err == nil {
			if err := os.Symlink(p, filepath.Join(bin, tool)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := os.Symlink(bash, filepath.Join(bin, "bash")); err != nil {
		t.Fatal(err)
	}
	r := newRunner(t, nil)
	r.action.Runs.Steps = r.action.Runs.Steps[:1] // find Go, then look at the next step's condition
	res := r.run(bin)
	if res.code != 0 || r.outputs["go"]["found"] != "false" || !strings.Contains(res.log, "no go on PATH") {
		t.Fatalf("exit %d, outputs %v:\n%s", res.code, r.outputs["go"], res.log)
	}
	a, _ := loadAction(t)
	setup := a.Runs.Steps[1]
	if !strings.HasPrefix(setup.Uses, "actions/setup-go@") || !r.condition(setup.If) {
		t.Fatalf("the step after a missing Go must be actions/setup-go, run: %+v", setup)
	}
	if got := r.expand(setup.With["go-version-file"]); got != filepath.Join(r.root, "go.mod") {
		t.Errorf("setup-go reads the Go version from %s, want the action's go.mod", got)
	}
	r.outputs["go"]["found"] = "true"
	if r.condition(setup.If) {
		t.Error("with Go found, setup-go must be skipped")
	}
}

// A cancelled job: the runner signals the step (SIGINT, then SIGTERM) and favconform, handed each
// signal once, stops the specs, restores the lists and exits 130 with verdict INTERRUPTED — also
// when the signal goes to the step's whole process group, which favconform must not see twice (a
// second signal only says "please wait", a third stops the restore).
func TestActionHandsACancelToFavconformOnce(t *testing.T) {
	skipShort(t)
	m, err := mock.New(mock.Options{})
	if err != nil {
		t.Fatal(err)
	}
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path != mock.IdentityPath {
			time.Sleep(50 * time.Millisecond) // long enough to catch the run among its specs
		}
		m.ServeHTTP(w, req)
	}))
	defer slow.Close()
	user, _ := identity.ByRole(identity.Default(), identity.User)
	for _, c := range []struct {
		name    string
		signals []syscall.Signal
		group   bool
		never   string
	}{
		{"a cancel (SIGINT, SIGTERM) sent to the step's process", []syscall.Signal{syscall.SIGINT, syscall.SIGTERM}, false, "stopping the restore"},
		{"SIGINT sent to the step's process group", []syscall.Signal{syscall.SIGINT}, true, "please wait"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newRunner(t, map[string]string{"target-file": "target.yaml"})
			target := fmt.Sprintf("baseURL: %s\nidentities:\n  user:\n    headers: {Authorization: %s}\n", slow.URL, user.Token)
			if err := os.WriteFile(filepath.Join(r.workspace, "target.yaml"), []byte(target), 0o644); err != nil {
				t.Fatal(err)
			}
			r.signal = func(p *os.Process, out func() string) {
				deadline := time.Now().Add(2 * time.Minute)
				for !strings.Contains(out(), "running the conformance suites") && time.Now().Before(deadline) {
					time.Sleep(20 * time.Millisecond)
				}
				time.Sleep(500 * time.Millisecond) // among the specs
				for _, sig := range c.signals {
					pid := p.Pid
					if c.group {
						pid = -pid
					}
					_ = syscall.Kill(pid, sig)
					time.Sleep(100 * time.Millisecond)
				}
			}
			res := r.run("")
			if res.code != 130 || res.outputs["verdict"] != "INTERRUPTED" {
				t.Fatalf("exit %d verdict %q, want 130 INTERRUPTED:\n%s", res.code, res.outputs["verdict"], res.log)
			}
			if strings.Contains(res.log, c.never) {
				t.Fatalf("favconform got a signal more than once (it says %q):\n%s", c.never, res.log)
			}
			// The lists are restored: the user, who had none, has none.
			req, _ := http.NewRequest(http.MethodGet, slow.URL+"/dashboard/v1/user-favorite-list", nil)
			req.Header.Set("Authorization", user.Token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusNotFound {
				t.Fatalf("after the cancelled run the user has a list (GET answers %d): it was not restored\n%s", resp.StatusCode, res.log)
			}
		})
	}
}
