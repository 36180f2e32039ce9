"""Sharding, declared once: logical axis names -> mesh axes ``data``, ``fsdp``, ``tensor``.

Every parameter of the model carries logical axis names (``nnx.Param(...,
out_sharding=("embed", "mlp"))``) and every activation is constrained with
:func:`constrain` by logical names. The two rule tables below are the only place that
says where those names live on a device mesh, so the same model runs on one CPU, a GPU
node or a TPU slice by changing the mesh shape alone:

- ``data``: batch split, parameters replicated (plain data parallelism);
- ``fsdp``: batch split *and* parameters, their float32 master copy and the optimiser
  state split along ``embed`` (ZeRO-3 style; gathered by XLA where a matmul needs them);
- ``tensor``: heads, feed-forward and vocabulary split (Megatron-style tensor parallel).
"""

from __future__ import annotations

import jax
from jax.sharding import AxisType, Mesh, NamedSharding, PartitionSpec

MESH_AXES = ("data", "fsdp", "tensor")

# Where each logical axis of a *parameter* lives.
PARAM_RULES = {
    "vocab": "tensor",
    "embed": "fsdp",
    "heads": "tensor",
    "kv_heads": "tensor",
    "kv": None,
    "mlp": "tensor",
    "layers": None,  # the stacked-layer axis that scan iterates over
}
# Where each logical axis of an *activation* lives (embed is not split: the batch already
# uses the fsdp devices).
ACTIVATION_RULES = {
    "batch": ("data", "fsdp"),
    "length": None,
    "embed": None,
    "heads": "tensor",
    "kv_heads": "tensor",
    "kv": None,
    "mlp": "tensor",
    "vocab": "tensor",
}


def logical_to_spec(axes: tuple, rules: dict) -> PartitionSpec:
    """A PartitionSpec for logical ``axes`` (None: replicated) under ``rules``."""
    unknown = [a for a in axes if a is not None and a not in rules]
    if unknown:
        raise KeyError(f"no sharding rule for logical axes {unknown}")
    return PartitionSpec(*(rules[a] if a is not None else None for a in axes))


def constrain(x: jax.Array, axes: tuple) -> jax.Array:
    """Pin activation ``x`` to the mesh position of its logical ``axes``; a no-op when no
    mesh is set (a plain single-device call)."""
    mesh = jax.sharding.get_abstract_mesh()
    if mesh.empty:
        return x
    return jax.lax.with_sharding_constraint(x, logical_to_spec(axes, ACTIVATION_RULES))


def make_mesh(data: int = -1, fsdp: int = 1, tensor: int = 1,
              devices: list | None = None) -> Mesh:
    """A (data, fsdp, tensor) mesh over ``devices`` (default: all); -1 takes the rest."""
    devices = jax.devices() if devices is None else devices
    if data == -1:
        if len(devices) % (fsdp * tensor):
            raise ValueError(f"{len(devices)} devices do not split into fsdp={fsdp} x "
                             f"tensor={tensor}")
        data = len(devices) // (fsdp * tensor)
    if data * fsdp * tensor != len(devices):
        raise ValueError(f"mesh {data}x{fsdp}x{tensor} needs {data * fsdp * tensor} devices, "
                         f"{len(devices)} available")
    return jax.make_mesh((data, fsdp, tensor), MESH_AXES, devices=devices,
                         axis_types=(AxisType.Auto,) * len(MESH_AXES))


def param_shardings(partition_specs, mesh: Mesh):
    """NamedShardings for a tree of logical PartitionSpecs (``nnx.get_partition_spec``)."""
    return jax.tree.map(
        lambda spec: NamedSharding(mesh, logical_to_spec(tuple(spec), PARAM_RULES)),
        partition_specs, is_leaf=lambda x: isinstance(x, PartitionSpec))
