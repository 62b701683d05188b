# Debian packages. The two nodes share the group "apt", so they never run apt at the same time, and
# when they are ready together they are installed in one apt-get transaction. Needs root and apt.
#   converge apply --local examples/apt.hcl
#   converge apply --local -p state=absent examples/apt.hcl

param "state" {
  default = "present"
}

package.apt "hello" {
  name  = "hello"
  state = "{{param `state`}}"
  group = "apt"
}

package.apt "sl" {
  name  = "sl"
  state = "{{param `state`}}"
  group = "apt"
}

task.query "greeting" {
  query   = "command -v hello >/dev/null && hello || echo 'hello is {{lookup `package.apt.hello.state`}}'"
  depends = ["package.apt.hello"]
}
