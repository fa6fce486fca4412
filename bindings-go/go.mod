module github.com/net-mesh/net/bindings-go

go 1.24
