/*
 * A busybox web server in a container on its own network, with a volume, published on loopback.
 * The defaults point at the local registry that scripts/docker-test-env.sh starts (README, "Docker
 * tests"); with a real Docker engine, pass e.g. -p image=busybox.
 *
 *   converge apply --local -p port=8088 examples/docker.hcl && curl http://127.0.0.1:8088/
 *
 * The names of the container, network and volume start with the `prefix` param.
 */

param "image" {
  default = "127.0.0.1:5917/converge-test/busybox"
}

param "tag" {
  default = "latest"
}

param "port" {
  default = "8088"
}

param "prefix" {
  default = "converge-example"
}

docker.image "busybox" {
  name               = "{{param `image`}}"
  tag                = "{{param `tag`}}"
  inactivity_timeout = "60s"
}

docker.network "web" {
  name = "{{param `prefix`}}-web"

  labels {
    app = "converge-example"
  }
}

docker.volume "data" {
  name = "{{param `prefix`}}-data"

  labels {
    app = "converge-example"
  }
}

docker.container "web" {
  name        = "{{param `prefix`}}-web"
  image       = "{{lookup `docker.image.busybox.name`}}:{{lookup `docker.image.busybox.tag`}}"
  command     = ["httpd", "-f", "-p", "8080", "-h", "/www"]
  working_dir = "/www"
  networks    = ["{{lookup `docker.network.web.name`}}"]
  volumes     = ["{{lookup `docker.volume.data.name`}}:/data"]
  ports       = ["127.0.0.1:{{param `port`}}:8080"]
  force       = true

  env {
    SITE = "converge-example"
  }
}
