# A user account in its own group, with a home directory and an expiry date; a query reads the uid
# back through the system. Needs root. Try it, then remove it again with state = "absent":
#   converge plan  --local examples/user.hcl
#   converge apply --local -p user=converge-demo examples/user.hcl

param "user" {
  default = "converge-demo"
}

user.group "demo" {
  name = "{{param `user`}}"
  gid  = 45001
}

user.user "demo" {
  username    = "{{param `user`}}"
  uid         = 45001
  groupname   = "{{lookup `user.group.demo.name`}}"
  name        = "Converge demo user"
  create_home = true
  home_dir    = "/home/{{param `user`}}"
  expiry      = "2030-12-31"
  state       = "present"
}

task.query "uid" {
  query = "id -u {{lookup `user.user.demo.username`}}"
}
