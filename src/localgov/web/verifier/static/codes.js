"use strict";
// The short codes of docs/token-format.md §3.1 and §3.2 (localgov.tokens.short_codes), with their
// labels. Codes are only ever added; a test compares these tables with the Python ones.

export const KINDS = new Map([
  [1, { name: "building_permit", ar: "رخصة بناء", en: "Building permit" }],
  [2, { name: "demolition_permit", ar: "رخصة هدم", en: "Demolition permit" }],
  [3, { name: "elevation_permit", ar: "رخصة تعلية", en: "Elevation (extra floors) permit" }],
  [4, { name: "site_validity_statement", ar: "بيان صلاحية موقع", en: "Site validity statement" }],
  [5, { name: "shop_licence", ar: "رخصة محل", en: "Shop licence" }],
  [6, { name: "occupancy_licence", ar: "رخصة إشغال", en: "Occupancy licence" }],
  [7, { name: "advertisement_licence", ar: "رخصة إعلان", en: "Advertisement licence" }],
  [8, { name: "burial_plot_allocation", ar: "تخصيص مدفن", en: "Burial plot allocation" }],
]);

const METRES = { ar: "م", en: "m" };
const SQUARE_METRES = { ar: "م²", en: "m²" };

export const FIGURES = new Map([
  [1, { name: "floors", type: "count", ar: "عدد الأدوار", en: "Floors", unit: null }],
  [2, { name: "height_m", type: "decimal", ar: "الارتفاع", en: "Height", unit: METRES }],
  [3, { name: "built_area_m2", type: "decimal", ar: "مسطح البناء", en: "Built area", unit: SQUARE_METRES }],
  [4, { name: "land_area_m2", type: "decimal", ar: "مساحة الأرض", en: "Land area", unit: SQUARE_METRES }],
  [5, { name: "basement_floors", type: "count", ar: "عدد البدرومات", en: "Basement floors", unit: null }],
  [6, { name: "units", type: "count", ar: "عدد الوحدات", en: "Housing units", unit: null }],
  [7, { name: "shop_area_m2", type: "decimal", ar: "مساحة المحل", en: "Shop area", unit: SQUARE_METRES }],
  [8, { name: "activity", type: "text", ar: "النشاط", en: "Activity", unit: null }],
  [9, { name: "plot_number", type: "text", ar: "رقم المدفن", en: "Plot number", unit: null }],
]);

export const KIND_BY_NAME = new Map([...KINDS.values()].map((kind) => [kind.name, kind]));
export const FIGURE_BY_NAME = new Map([...FIGURES.values()].map((figure) => [figure.name, figure]));
