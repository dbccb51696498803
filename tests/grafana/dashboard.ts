// The type a generated dashboard has as a JSON file, from Grafana's own
// schema package (`@grafana/schema`): its `Dashboard`, and each panel's
// `options` and `fieldConfig.defaults.custom` as its panel type's own
// `Options` and `FieldConfig` declare them.
//
// tests/tests/grafana_dashboards.rs writes each generated dashboard as a
// module `export const dashboard: DashboardJson = <the file's JSON>;` and
// type-checks them with `tsc` (tsconfig.json). The JSON is an object literal
// there, so its strings keep their literal types (a JSON import would widen
// them to `string`, which no union of literals, such as a variable's `type`,
// accepts) and a property the schema does not declare is an error.
//
// What differs from the schema's TypeScript types, and why:
// - A JSON file holds a string enum's value (`"absolute"`), which TypeScript
//   does not take for the enum's member (`ThresholdsMode.Absolute`): here each
//   string enum is the union of its values. Nothing else changes.
// - Grafana fills in the panel options a dashboard leaves out, so each
//   panel's options may be partial (at any depth); what they do hold must be
//   of the declared names and types. The schema's `Dashboard` leaves a
//   panel's `options` and `fieldConfig.defaults.custom` open (any object);
//   here they are those of the panel's type, and a panel of a type the
//   dashboards do not use is an error.
import type { Dashboard, Panel, RowPanel } from '@grafana/schema';
import type * as Heatmap from '@grafana/schema/dist/esm/raw/composable/heatmap/panelcfg/x/HeatmapPanelCfg_types.gen';
import type * as StateTimeline from '@grafana/schema/dist/esm/raw/composable/statetimeline/panelcfg/x/StateTimelinePanelCfg_types.gen';
import type * as Table from '@grafana/schema/dist/esm/raw/composable/table/panelcfg/x/TablePanelCfg_types.gen';
import type * as Text from '@grafana/schema/dist/esm/raw/composable/text/panelcfg/x/TextPanelCfg_types.gen';
import type * as TimeSeries from '@grafana/schema/dist/esm/raw/composable/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen';

/** `T` as JSON holds it: string enums as the union of their values. */
type Json<T> = T extends string
  ? `${T}`
  : T extends readonly (infer Item)[]
    ? Json<Item>[]
    : T extends object
      ? { [Key in keyof T]: Json<T[Key]> }
      : T;

/** `Json<T>` with every property optional, at any depth. */
type Loose<T> = T extends string
  ? `${T}`
  : T extends readonly (infer Item)[]
    ? Loose<Item>[]
    : T extends object
      ? { [Key in keyof T]?: Loose<T[Key]> }
      : T;

type SchemaPanel = Json<Panel>;
type FieldConfigSource = NonNullable<SchemaPanel['fieldConfig']>;
type FieldConfig = FieldConfigSource['defaults'];

/**
 * A panel of a type whose options the schema package declares: the schema's
 * panel, with that type's options and custom field config in place of the
 * `options` and `custom` it leaves open (any object).
 */
type PanelOf<Type extends string, Options, Custom> = Omit<SchemaPanel, 'type' | 'options' | 'fieldConfig'> & {
  type: Type;
  options?: Loose<Options>;
  fieldConfig?: Omit<FieldConfigSource, 'defaults'> & {
    defaults: Omit<FieldConfig, 'custom'> & { custom?: Loose<Custom> };
  };
};

/** The panel types the dashboards use: no other. */
type KnownPanel =
  | PanelOf<'timeseries', TimeSeries.Options, TimeSeries.FieldConfig>
  | PanelOf<'heatmap', Heatmap.Options, Heatmap.FieldConfig>
  | PanelOf<'state-timeline', StateTimeline.Options, StateTimeline.FieldConfig>
  | PanelOf<'table', Table.Options, Table.FieldConfig>
  | PanelOf<'text', Text.Options, never>
  // The schema package declares no options of the alert list.
  | (Omit<SchemaPanel, 'type'> & { type: 'alertlist' })
  | Json<RowPanel>;

export type DashboardJson = Omit<Json<Dashboard>, 'panels'> & { panels?: KnownPanel[] };
