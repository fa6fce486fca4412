module github.com/net-mesh/net/tests/cross/peer_go

go 1.24

require github.com/net-mesh/net/bindings-go v0.0.0

replace github.com/net-mesh/net/bindings-go => ../../../bindings-go
