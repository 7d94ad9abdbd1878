"""Indexes a bulk import pays for and no query needs: the department alone (the (department, item_type) index
serves it) and the links most rows leave empty, now indexed only where set.

The old indexes are dropped by name rather than by AlterField, which on SQLite would copy each table whole."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


DROPPED = [  # (index, table, column), as Django named them
    ("catalog_material_blank_form_id_39f0aed5", "catalog_material", "blank_form_id"),
    ("catalog_material_sample_id_4f3e3093", "catalog_material", "sample_id"),
    ("catalog_serviceitem_catalog_entry_id_f860fb0d", "catalog_serviceitem", "catalog_entry_id"),
    ("catalog_serviceitem_department_id_48e06988", "catalog_serviceitem", "department_id"),
    ("catalog_serviceitem_parent_id_cc14c908", "catalog_serviceitem", "parent_id"),
    ("catalog_serviceitem_result_sample_id_91e47b4d", "catalog_serviceitem", "result_sample_id"),
]


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0003_drop_service_item_search_index'),
        ('wagtailcore', '0098_apitoken'),
        ('wagtaildocs', '0014_alter_document_file_size'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='material',
                    name='blank_form',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='wagtaildocs.document', verbose_name='空白表格'),
                ),
                migrations.AlterField(
                    model_name='material',
                    name='sample',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='wagtaildocs.document', verbose_name='示例样表'),
                ),
                migrations.AlterField(
                    model_name='serviceitem',
                    name='catalog_entry',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='implementations', to='catalog.catalogentry', verbose_name='基本目录事项'),
                ),
                migrations.AlterField(
                    model_name='serviceitem',
                    name='department',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='items', to='catalog.department', verbose_name='实施主体'),
                ),
                migrations.AlterField(
                    model_name='serviceitem',
                    name='parent',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='sub_items', to='catalog.serviceitem', verbose_name='所属主项'),
                ),
                migrations.AlterField(
                    model_name='serviceitem',
                    name='result_sample',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='wagtaildocs.document', verbose_name='审批结果样本'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(f"DROP INDEX IF EXISTS {index}", f"CREATE INDEX {index} ON {table} ({column})")
                for index, table, column in DROPPED
            ],
        ),
        migrations.AddIndex(
            model_name='material',
            index=models.Index(condition=models.Q(('blank_form__isnull', False)), fields=['blank_form'], name='catalog_material_blank_form'),
        ),
        migrations.AddIndex(
            model_name='material',
            index=models.Index(condition=models.Q(('sample__isnull', False)), fields=['sample'], name='catalog_material_sample'),
        ),
        migrations.AddIndex(
            model_name='serviceitem',
            index=models.Index(condition=models.Q(('catalog_entry__isnull', False)), fields=['catalog_entry'], name='catalog_item_catalog_entry'),
        ),
        migrations.AddIndex(
            model_name='serviceitem',
            index=models.Index(condition=models.Q(('parent__isnull', False)), fields=['parent'], name='catalog_item_parent'),
        ),
        migrations.AddIndex(
            model_name='serviceitem',
            index=models.Index(condition=models.Q(('result_sample__isnull', False)), fields=['result_sample'], name='catalog_item_result_sample'),
        ),
    ]
