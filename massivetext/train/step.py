"""The train state and the pure, jitted ``train_step(state, batch) -> (state, metrics)``.

The state holds the float32 parameters (the master copy the update reads and writes),
the optimiser state, the step and an RNG key. Both the parameters and the optimiser
state are placed by sharding.PARAM_RULES, so with an ``fsdp`` mesh axis they are
partitioned over the data-parallel devices (ZeRO) by the compiler, not by hand.
"""

from __future__ import annotations

import flax.struct
import jax
import jax.numpy as jnp
import optax
from flax import nnx
from jax.sharding import NamedSharding, PartitionSpec

from massivetext.train.configs import ModelConfig
from massivetext.train.model import abstract_model, create_model, loss_fn
from massivetext.train.sharding import ACTIVATION_RULES, param_shardings


@flax.struct.dataclass
class TrainState:
    step: jax.Array  # int32 scalar: updates applied so far
    params: nnx.State  # float32 parameters
    opt_state: optax.OptState
    rng: jax.Array  # a key for stochastic parts (none in the published blocks)


def batch_sharding(mesh) -> NamedSharding:
    """Token batches (B, T): the batch axis over data x fsdp."""
    return NamedSharding(mesh, PartitionSpec(ACTIVATION_RULES["batch"], None))


def state_shardings(config: ModelConfig, tx: optax.GradientTransformation, mesh):
    """NamedShardings of every TrainState leaf: parameters and their optimiser moments by
    the parameter rules, scalars replicated."""
    graphdef, abstract_params = nnx.split(abstract_model(config), nnx.Param)
    params = param_shardings(nnx.get_partition_spec(abstract_params), mesh)
    replicated = NamedSharding(mesh, PartitionSpec())
    abstract_opt = jax.eval_shape(tx.init, abstract_params)
    # A moment has its parameter's shape; Adafactor's unused factored slots do not.
    opt = optax.tree_map_params(
        tx, lambda leaf, sharding: sharding if leaf.ndim == len(sharding.spec) else replicated,
        abstract_opt, params, transform_non_params=lambda _: replicated)
    return graphdef, TrainState(step=replicated, params=params, opt_state=opt,
                                rng=replicated)


def state_initializer(config: ModelConfig, tx: optax.GradientTransformation, seed: int = 0):
    """A function of no arguments making a fresh TrainState (jit or eval_shape it)."""

    def init() -> TrainState:
        params = nnx.split(create_model(config, seed), nnx.Param)[1]
        return TrainState(step=jnp.zeros((), jnp.int32), params=params,
                          opt_state=tx.init(params),
                          rng=jax.random.key_data(jax.random.key(seed)))

    return init


def init_state(config: ModelConfig, tx: optax.GradientTransformation, mesh,
               seed: int = 0) -> tuple[nnx.GraphDef, TrainState]:
    """A fresh train state, every leaf created in place on the mesh."""
    graphdef, shardings = state_shardings(config, tx, mesh)
    with jax.set_mesh(mesh):
        state = jax.jit(state_initializer(config, tx, seed), out_shardings=shardings)()
    return graphdef, state


def make_train_step(graphdef: nnx.GraphDef, tx: optax.GradientTransformation, schedule):
    """The pure train step for one model; jit it (the loop does, with donation)."""

    def train_step(state: TrainState, tokens: jax.Array) -> tuple[TrainState, dict]:
        def loss(params):
            return loss_fn(nnx.merge(graphdef, params), tokens)

        (total, (cross_entropy, z_loss)), grads = jax.value_and_grad(loss, has_aux=True)(
            state.params)
        updates, opt_state = tx.update(grads, state.opt_state, state.params)
        params = optax.apply_updates(state.params, updates)  # float32 master copy
        metrics = {"loss": cross_entropy, "z_loss": z_loss, "total_loss": total,
                   "grad_norm": optax.global_norm(grads),
                   "learning_rate": schedule(state.step)}
        return state.replace(step=state.step + 1, params=params, opt_state=opt_state), metrics

    return train_step
