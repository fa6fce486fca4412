"""DaemonRuntime and MeshOsDaemonSdk on a MeshNode: spawns are checked
against what the node announces, and a closed node is refused."""

from __future__ import annotations

import pytest
from computekit import Echo, identity
from meshkit import PSK
from test_compute_failures import NeedsGpu

from net_sdk import CausalEvent, ClosedError, DaemonError, DaemonRuntime, MeshNode, MeshOsDaemonSdk, MeshOsError


def test_on_a_mesh_the_announced_capabilities_decide() -> None:
    with MeshNode("127.0.0.1:0", PSK) as mesh:
        rt = DaemonRuntime.create(mesh)
        rt.register_factory("gpu", NeedsGpu)
        rt.register_factory("echo", Echo)
        rt.start()
        with pytest.raises(DaemonError) as refused:
            rt.spawn("gpu", identity(70))
        assert refused.value.kind == "missing-capabilities"
        mesh.announce_capabilities({"tags": ["hardware.gpu", "region:eu"]})
        h = rt.spawn("gpu", identity(70))
        assert rt.deliver(rt.spawn("echo", identity(71)).origin_hash, CausalEvent(1, 1, b"m")) == [b"m"]
        assert h.is_running()
        rt.shutdown()  # leaves the mesh running
        assert mesh.node_id != 0

        sdk = MeshOsDaemonSdk.start_on_mesh(mesh)
        d = sdk.register_daemon(NeedsGpu(), identity(72))
        assert d.metadata()["node_id"] == mesh.node_id
        sdk.shutdown()
        with pytest.raises(MeshOsError):
            sdk.shutdown()
    with pytest.raises(ClosedError):
        DaemonRuntime.create(mesh)

