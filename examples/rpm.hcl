# RPM packages with rpm and yum, on a Red Hat family system. Nodes of one group share a yum
# transaction when they are ready together. (Not run on a real rpm system yet; see the README.)
#   converge apply --local examples/rpm.hcl

package.rpm "tree" {
  name  = "tree"
  group = "yum"
}

package.rpm "jq" {
  name  = "jq"
  group = "yum"
}

package.rpm "telnet" {
  name  = "telnet"
  state = "absent"
}
