using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace UnlearnDashboard.Compute.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AddVersionLineageAndAliases : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "CounterfactualSetId",
                table: "model_versions",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "DatasetTestSha256",
                table: "model_versions",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "DatasetTrainSha256",
                table: "model_versions",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "DatasetVersion",
                table: "model_versions",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<byte[]>(
                name: "GateVerdict",
                table: "model_versions",
                type: "BLOB",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ProductVersion",
                table: "model_versions",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SourceRevision",
                table: "model_versions",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Version",
                table: "datasets",
                type: "INTEGER",
                nullable: false,
                // Datasets registered before versions existed are at their first version.
                defaultValue: 1);

            migrationBuilder.CreateTable(
                name: "model_aliases",
                columns: table => new
                {
                    ModelId = table.Column<string>(type: "TEXT", nullable: false),
                    Alias = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    VersionId = table.Column<string>(type: "TEXT", nullable: false),
                    UpdatedBy = table.Column<string>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_model_aliases", x => new { x.ModelId, x.Alias });
                    table.ForeignKey(
                        name: "FK_model_aliases_model_versions_VersionId",
                        column: x => x.VersionId,
                        principalTable: "model_versions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_model_aliases_models_ModelId",
                        column: x => x.ModelId,
                        principalTable: "models",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "release_gates",
                columns: table => new
                {
                    ModelId = table.Column<string>(type: "TEXT", nullable: false),
                    MinDisparateImpactRatio = table.Column<double>(type: "REAL", nullable: true),
                    MaxAccuracyDrop = table.Column<double>(type: "REAL", nullable: true),
                    UpdatedBy = table.Column<string>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_release_gates", x => x.ModelId);
                    table.ForeignKey(
                        name: "FK_release_gates_models_ModelId",
                        column: x => x.ModelId,
                        principalTable: "models",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_model_aliases_VersionId",
                table: "model_aliases",
                column: "VersionId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "model_aliases");

            migrationBuilder.DropTable(
                name: "release_gates");

            migrationBuilder.DropColumn(
                name: "CounterfactualSetId",
                table: "model_versions");

            migrationBuilder.DropColumn(
                name: "DatasetTestSha256",
                table: "model_versions");

            migrationBuilder.DropColumn(
                name: "DatasetTrainSha256",
                table: "model_versions");

            migrationBuilder.DropColumn(
                name: "DatasetVersion",
                table: "model_versions");

            migrationBuilder.DropColumn(
                name: "GateVerdict",
                table: "model_versions");

            migrationBuilder.DropColumn(
                name: "ProductVersion",
                table: "model_versions");

            migrationBuilder.DropColumn(
                name: "SourceRevision",
                table: "model_versions");

            migrationBuilder.DropColumn(
                name: "Version",
                table: "datasets");
        }
    }
}
