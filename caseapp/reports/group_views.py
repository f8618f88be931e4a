"""The groups of communes of a province (e.g. the communes of a former district): listed, named, changed
and deleted by the province's reporters (Perm.MANAGE_COMMUNE_GROUPS). Reports and reference data can
be read for a group (reports.scoping); another province's groups answer 404."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..core.transaction import refusal_flashed, saving
from ..security.policy import Perm
from ..security.web import requires
from . import queries, services
from .forms import CommuneGroupForm
from .views import bp

FORM = "reports/commune_group_form.html"


def _group_or_404(group_id):
    group = queries.commune_group(group_id, current_user)
    if group is None:
        abort(404)
    return group


def _form(group=None):
    data = {"name": group.name, "communes": [c.code for c in group.communes]} if group else None
    return CommuneGroupForm(
        data=data if request.method == "GET" else None, communes=queries.province_communes(current_user)
    )


@bp.get("/commune-groups")
@requires(Perm.MANAGE_COMMUNE_GROUPS)
def commune_groups():
    return render_template("reports/commune_groups.html", groups=queries.commune_groups(current_user))


@bp.route("/commune-groups/new", methods=["GET", "POST"])
@requires(Perm.MANAGE_COMMUNE_GROUPS)
def new_commune_group():
    form = _form()
    if request.method == "POST":
        if form.validate():
            with saving(form) as saved:
                group = services.create_commune_group(form.name.data, form.communes.data, by=current_user)
            if saved:
                flash(_("The group of communes %(name)s was saved.", name=group.name), "success")
                return redirect(url_for("reports.commune_groups"))
        return render_template(FORM, form=form, group=None), 422
    return render_template(FORM, form=form, group=None)


@bp.route("/commune-groups/<id:group_id>", methods=["GET", "POST"])
@requires(Perm.MANAGE_COMMUNE_GROUPS)
def edit_commune_group(group_id):
    group = _group_or_404(group_id)
    form = _form(group)
    if request.method == "POST":
        if form.validate():
            with saving(form) as saved:
                services.update_commune_group(group, form.name.data, form.communes.data, by=current_user)
            if saved:
                flash(_("The group of communes %(name)s was saved.", name=group.name), "success")
                return redirect(url_for("reports.commune_groups"))
        return render_template(FORM, form=form, group=group), 422
    return render_template(FORM, form=form, group=group)


@bp.post("/commune-groups/<id:group_id>/delete")
@requires(Perm.MANAGE_COMMUNE_GROUPS)
def delete_commune_group(group_id):
    group = _group_or_404(group_id)
    name = group.name
    with refusal_flashed() as saved:
        services.delete_commune_group(group, by=current_user)
    if not saved:
        return redirect(url_for("reports.edit_commune_group", group_id=group_id))
    flash(_("The group of communes %(name)s was deleted.", name=name), "success")
    return redirect(url_for("reports.commune_groups"))
