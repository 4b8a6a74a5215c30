"""Querysets of a fixed shape compiled to SQL once, then run with new parameters.

Most of the CPU of a small ORM read is compiling it (joins, columns, ordering, quoting), not
running it: a sign-up's dozen reads cost more to compile than PostgreSQL takes to answer them.
A ``Prepared`` query builds its queryset once per process and database connection with
sample values, keeps the SQL, where the samples sit among its parameters, the converters and
how rows become objects (``select_related`` included), and afterwards only swaps the
parameters, executes and builds the objects, the way Django's own iterables do::

    BATCH = Prepared(lambda pk: Batch.objects.select_related("itinerary").filter(pk=pk))
    batch = BATCH.first(batch_id)

Only for querysets whose SQL does not depend on the values (no ``IN`` over a list that grows,
no lookup that rewrites its value such as ``contains``): a sample that is not found verbatim
among the compiled parameters is refused when the query is first compiled. Queries run through
``connection.cursor()``, so they are logged and counted like any other (assertNumQueries).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators
from django.db.transaction import TransactionManagementError

# Sample values the queryset is compiled with, found again among its parameters.
SAMPLE_INTS = (-7_301_234_567_891, -7_301_234_567_892, -7_301_234_567_893)


@dataclass
class _Compiled:
    sql: str
    params: list
    positions: list[int]
    wrappers: list[type]  # a parameter's type as compiled (psycopg's Int2 for a small integer)
    compiler: Any
    converters: dict
    for_update: bool
    model: type[Model] | None
    init_list: list[str]
    start: int
    end: int
    populators: list


class Prepared:
    def __init__(self, build: Callable[..., QuerySet], *, samples: tuple | None = None):
        self.build = build
        self.samples = samples if samples is not None else SAMPLE_INTS[: build.__code__.co_argcount]
        self._compiled: dict[int, _Compiled] = {}

    def _compile(self, connection) -> _Compiled:
        queryset = self.build(*self.samples)
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        params = list(params)
        positions = []
        for sample in self.samples:
            found = [i for i, p in enumerate(params) if p == sample and isinstance(p, type(sample))]
            if len(found) != 1:
                raise ValueError(f"sample {sample!r} is not one parameter of {sql}")
            positions.append(found[0])
        fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
        klass_info = compiler.klass_info
        model = init_list = populators = None
        start = end = 0
        if klass_info is not None and not queryset._fields:  # model instances, not values()
            model = klass_info["model"]
            select_fields = klass_info["select_fields"]
            start, end = select_fields[0], select_fields[-1] + 1
            init_list = [f[0].target.attname for f in compiler.select[start:end]]
            populators = get_related_populators(klass_info, compiler.select, connection.alias)
        return _Compiled(
            sql=sql,
            params=params,
            positions=positions,
            wrappers=[type(params[i]) for i in positions],
            compiler=compiler,
            converters=compiler.get_converters(fields),
            for_update=bool(queryset.query.select_for_update),
            model=model,
            init_list=init_list or [],
            start=start,
            end=end,
            populators=populators or [],
        )

    def rows(self, *args, using: str = DEFAULT_DB_ALIAS) -> list[tuple]:
        """The rows (converted as Django would) for these parameter values."""
        connection = connections[using]
        compiled = self._compiled.get(id(connection))
        if compiled is None:
            compiled = self._compiled[id(connection)] = self._compile(connection)
        if compiled.for_update and connection.get_autocommit():
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        params = list(compiled.params)
        for position, wrap, value in zip(compiled.positions, compiled.wrappers, args, strict=True):
            params[position] = value if type(value) is wrap else wrap(value)
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if compiled.converters:
            rows = list(compiled.compiler.apply_converters(rows, compiled.converters))
        return rows

    def objects(self, *args, using: str = DEFAULT_DB_ALIAS) -> Iterator[Model]:
        rows = self.rows(*args, using=using)
        compiled = self._compiled[id(connections[using])]
        model, init_list = compiled.model, compiled.init_list
        start, end, populators = compiled.start, compiled.end, compiled.populators
        for row in rows:
            obj = model.from_db(using, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            yield obj

    def all(self, *args, using: str = DEFAULT_DB_ALIAS) -> list[Model]:
        return list(self.objects(*args, using=using))

    def first(self, *args, using: str = DEFAULT_DB_ALIAS) -> Model | None:
        return next(iter(self.objects(*args, using=using)), None)


class RowId:
    """In ``insert_rows``: the id of another row of the same call, as a value (``template``
    puts it inside a text, e.g. ``"/applications/{}/"``)."""

    def __init__(self, obj: Model, template: str = "{}"):
        self.obj = obj
        self.template = template

    def value(self) -> str:
        return self.template.format(self.obj.pk)


def _rows_ahead(obj: Model, field, objs: list[Model]) -> int | None:
    """The position in ``objs`` of the unsaved row a foreign key of ``obj`` points to."""
    if not field.is_relation or getattr(obj, field.attname) is not None:
        return None
    target = obj._state.fields_cache.get(field.name)
    for index, other in enumerate(objs):
        if other is target and other.pk is None:
            return index
    return None


def insert_rows(objs: list[Model], *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Insert new rows of several models (e.g. a record, its history and its audit row) in one
    statement on PostgreSQL (data-modifying ``WITH`` clauses: one round trip, all or nothing),
    one by one elsewhere; sets their ids. A foreign key to an unsaved row of the list, or a
    ``RowId``, takes that row's id. No ``pre_save``/``post_save`` signals are sent (callers
    insert models nobody listens to); fields' own ``pre_save`` (``auto_now`` …) runs."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        for obj in objs:
            for field in obj._meta.local_concrete_fields:
                value = getattr(obj, field.attname)
                if isinstance(value, RowId):
                    setattr(obj, field.attname, value.value())
            obj.save(force_insert=True, using=using)
        return
    quote = connection.ops.quote_name
    clauses, params = [], []
    for index, obj in enumerate(objs):
        meta = obj._meta
        fields = [
            f for f in meta.local_concrete_fields if not (f is meta.auto_field and obj.pk is None)
        ]
        values = []
        for field in fields:
            ahead = _rows_ahead(obj, field, objs)
            value = getattr(obj, field.attname)
            if ahead is not None:
                values.append(f"(SELECT {quote(objs[ahead]._meta.pk.column)} FROM i{ahead})")  # noqa: S608 - names from the models
            elif isinstance(value, RowId):
                before, after = value.template.split("{}")
                ahead = objs.index(value.obj)
                values.append(
                    f"(%s || (SELECT {quote(value.obj._meta.pk.column)} FROM i{ahead})::text || %s)"  # noqa: S608, E501 - names from the models
                )
                params += [before, after]
            else:
                values.append("%s")
                params.append(field.get_db_prep_save(field.pre_save(obj, add=True), connection))
        columns = ", ".join(quote(f.column) for f in fields)
        clauses.append(
            f"i{index} AS (INSERT INTO {quote(meta.db_table)} ({columns})"  # noqa: S608 - names from the models
            f" VALUES ({', '.join(values)}) RETURNING {quote(meta.pk.column)})"
        )
    ids = ", ".join(
        f"(SELECT {quote(obj._meta.pk.column)} FROM i{index})"  # noqa: S608 - names from the models
        for index, obj in enumerate(objs)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {', '.join(clauses)} SELECT {ids}", params)
        row = cursor.fetchone()
    for obj, pk in zip(objs, row, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = using
    for obj in objs:
        for field in obj._meta.local_concrete_fields:
            value = getattr(obj, field.attname)
            if isinstance(value, RowId):
                setattr(obj, field.attname, value.value())
            elif field.is_relation and value is None:
                target = obj._state.fields_cache.get(field.name)
                if any(target is other for other in objs):
                    # Straight into __dict__: the descriptor would drop the cached object.
                    obj.__dict__[field.attname] = target.pk
